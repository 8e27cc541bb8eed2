package io.kerbgate.demo;

import java.io.PrintStream;

/** {@code kerbgate demo}: a whole array on one machine, for a first look. */
public final class Demo {

    private Demo() {}

    /**
     * Runs the demo.
     *
     * @param keepRunning leave the demo up after it has shown its requests, until interrupted
     * @param out         where the demo narrates what it does
     * @return the process exit code
     */
    public static int run(boolean keepRunning, PrintStream out) {
        out.println("demo not built yet");
        return 1;
    }
}

package io.kerbgate.cli;

import io.kerbgate.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = "Start a KDC, a gateway and backends on this machine and show authenticated requests.")
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    private KerbgateCommand root;

    @Option(names = "--keep-running", description = "Leave the demo up after the walk-through, until Ctrl-C.")
    private boolean keepRunning;

    @Override
    public Integer call() {
        try {
            return Demo.run(keepRunning, root.out());
        } catch (Exception e) {
            root.err().println("kerbgate demo: " + e);
            return 1;
        }
    }
}

package io.kerbgate.rollover;

import java.io.PrintStream;

/**
 * The tool's output: one line per node per step, {@code step target status detail}, aligned for a terminal and
 * easy to grep in a timer's journal ({@code journalctl -u kerbgate-rollover | grep FAILED}).
 * <pre>
 * distribute node1      ok      kvno 2 added beside 1
 * verify     node2      FAILED  node2: directory /srv/node2 does not exist (is the node's disk mounted?)
 * </pre>
 */
final class Progress {

    static final String OK = "ok";
    static final String FAILED = "FAILED";
    static final String SKIPPED = "skipped";
    static final String LAGGING = "LAGGING";
    static final String DOWN = "DOWN";
    static final String NOT_READY = "NOTREADY";

    private final PrintStream out;

    Progress(PrintStream out) {
        this.out = out;
    }

    void line(Step step, String target, String status, String detail) {
        line(step.label(), target, status, detail);
    }

    void line(String step, String target, String status, String detail) {
        out.println(String.format("%-10s %-10s %-7s %s", step, target, status, detail).stripTrailing());
    }

    void note(String text) {
        out.println(text);
    }
}

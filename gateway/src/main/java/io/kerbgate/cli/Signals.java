package io.kerbgate.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The signals {@code run} handles itself. The JVM's own handling of SIGHUP, SIGTERM and SIGINT is to run the shutdown
 * hooks and exit with 128 + the signal's number: 129 on a SIGHUP (so {@code systemctl reload} killed the gateway),
 * 143 on a SIGTERM (which systemd counts as a failure). Handled here instead: SIGHUP reloads, SIGTERM and SIGINT
 * drain and let {@code run} return 0. {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to
 * handle a signal; each delivery runs the handler on a new thread, so a drain may block it.
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /** Runs {@code action} on every delivery of {@code name} ("HUP", "TERM", "INT"); logs when the JVM refuses. */
    static void on(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), signal -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn("SIG{} handler failed", name, e);
                }
            });
        } catch (IllegalArgumentException e) {
            // -Xrs, or a JVM that reserves the signal: the JVM's default stays.
            log.warn("cannot handle SIG{} ({}); the JVM's default applies", name, e.getMessage());
        }
    }
}

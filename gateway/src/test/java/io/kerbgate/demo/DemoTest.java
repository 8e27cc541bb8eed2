package io.kerbgate.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code kerbgate demo} as a user runs it: its own JVM (the demo sets the process-wide krb5.conf), exit status 0 and
 * the walk-through's lines, well within the 30 seconds the README promises.
 */
final class DemoTest {

    @Test
    void demo_runs_end_to_end_and_exits_zero() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        long start = System.nanoTime();
        Processes.Result r = Processes.command(java.toString(), "-cp", System.getProperty("java.class.path"),
                        "io.kerbgate.cli.KerbgateCommand", "demo")
                .timeout(Duration.ofSeconds(60)).exec();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String out = r.stdout();
        assertEquals(0, r.exitCode(), out + r.stderr());
        assertTrue(out.contains("demo OK"), out);
        assertTrue(out.contains("backend=node-1 user=alice@ARRAY.TEST authorization=absent"), out);
        assertTrue(out.contains("backend=node-2 user=alice@ARRAY.TEST"), "round-robin reached both nodes: " + out);
        assertTrue(out.contains("mutual auth completed"), out);
        assertTrue(out.contains("replay of token #1  -> 401"), out);
        assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "took " + took);
    }
}

package io.kerbgate.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke of {@code benchmarks/load/e2e.sh}: every scenario runs for one second at a few connections, with no warm-up
 * and a few hundred tokens, and every answer must be 2xx. It checks that the script works (servers start, tokens are
 * accepted, the report is written), never a speed.
 *
 * <p>An integration test of this module (failsafe, after {@code package}), because the script needs
 * {@code benchmarks/target/benchmarks.jar} (the new-ticket tokens) besides the gateway's jar. Skipped when the
 * script's tools are missing; {@code .ci/install-test-deps} installs them.
 */
class LoadScriptSmokeIT {
    private static final String APT = "apt-get install nginx wrk apache2 libapache2-mod-auth-gssapi krb5-kdc"
            + " krb5-admin-server krb5-user python3-gssapi curl openssl (or .ci/install-test-deps)";
    private static final List<String> SCENARIOS = List.of("plain-nginx", "plain-kerbgate", "negotiate-kerbgate",
            "negotiate-apache-4x32", "negotiate-apache-2x16", "negotiate-newticket-kerbgate", "session-cookie-kerbgate",
            "connection-bound-kerbgate", "plain-nginx-c8", "plain-kerbgate-c8", "negotiate-kerbgate-c8");

    @TempDir
    Path temp;

    @Test
    void everyScenarioRunsAndEveryAnswerIs2xx() throws Exception {
        Path root = Path.of(System.getProperty("kerbgate.root", "..")).toAbsolutePath().normalize();
        for (String tool : List.of("/usr/sbin/nginx", "/usr/bin/wrk", "/usr/sbin/apache2",
                "/usr/lib/apache2/modules/mod_auth_gssapi.so", "/usr/sbin/krb5kdc", "/usr/sbin/kdb5_util",
                "/usr/sbin/kadmin.local", "/usr/bin/kinit", "/usr/bin/curl", "/usr/bin/openssl", "/usr/bin/python3")) {
            assumeTrue(new File(tool).exists(), "no " + tool + ": " + APT);
        }
        assumeTrue(new ProcessBuilder("/usr/bin/python3", "-c", "import gssapi").start().waitFor() == 0,
                "no python3-gssapi: " + APT);
        for (String jar : List.of("gateway/target/kerbgate.jar", "benchmarks/target/benchmarks.jar")) {
            // The script would build a missing jar with a nested mvn; the test never does.
            assumeTrue(Files.exists(root.resolve(jar)), "no " + jar + ": run mvn package first");
        }

        Path out = temp.resolve("e2e.json");
        Path log = temp.resolve("e2e.log");
        ProcessBuilder script = new ProcessBuilder("bash", root.resolve("benchmarks/load/e2e.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = script.environment();
        env.put("DURATION", "1s");
        env.put("THREADS", "2");
        env.put("CONNECTIONS", "4");
        env.put("HIGH_CONNECTIONS", "8");
        env.put("WARMUP", "0");
        env.put("TOKENS", "300");
        env.put("OUT", out.toString());
        Process p = script.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            fail("e2e.sh did not finish in 180 s:\n" + tail(log));
        }
        assertEquals(0, p.exitValue(), () -> "e2e.sh failed:\n" + tail(log));

        JsonNode scenarios = new ObjectMapper().readTree(out.toFile()).get("scenarios");
        List<String> problems = new ArrayList<>();
        for (String name : SCENARIOS) {
            JsonNode s = scenarios.get(name);
            if (s == null) {
                problems.add(name + ": did not run");
                continue;
            }
            if (s.get("requests").asLong() <= 0) {
                problems.add(name + ": no request");
            }
            for (String count : List.of("non2xx_or_3xx", "connect_errors", "read_errors", "write_errors", "timeouts")) {
                if (s.get(count).asLong() != 0) {
                    problems.add(name + ": " + count + " = " + s.get(count).asLong());
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems) + "\n" + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}

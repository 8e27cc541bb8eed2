package io.kerbgate.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kerbgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code conf/prometheus} files, checked by Debian's {@code promtool} (package prometheus): the rules
 * parse, the alert unit tests pass, the scrape configuration is valid; and the Grafana dashboard is well-formed JSON.
 */
final class PrometheusRulesTest {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private final Path conf = PrometheusScrapeTest.confPrometheus();

    @BeforeEach
    void promtoolInstalled() {
        assumeTrue(Files.isExecutable(PROMTOOL), PROMTOOL + " is not installed (Debian package prometheus; "
                + ".ci/install-test-deps installs it): the rule checks are skipped");
    }

    private Processes.Result promtool(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = PROMTOOL.toString();
        System.arraycopy(args, 0, argv, 1, args.length);
        // promtool resolves rule_files against its working directory in tests: pass absolute paths and run there.
        return Processes.command(argv).timeout(Duration.ofSeconds(60)).run();
    }

    @Test
    void alertingRules_passPromtoolCheckRules() {
        Processes.Result r = promtool("check", "rules", conf.resolve("kerbgate-alerts.yml").toString());

        assertTrue(r.stdout().contains("SUCCESS: 17 rules found"), r.stdout() + r.stderr());
    }

    @Test
    void alertingRules_passTheirUnitTests() throws Exception {
        // promtool test rules reads the rule files relative to the test file's directory.
        Path work = Files.createTempDirectory("kerbgate-promtool-");
        try {
            Files.copy(conf.resolve("kerbgate-alerts.yml"), work.resolve("kerbgate-alerts.yml"));
            // The rollover alerts' tests have a file of their own, for a coarser evaluation interval.
            for (String tests : List.of("kerbgate-alerts.test.yml", "kerbgate-rollover-alerts.test.yml")) {
                Files.copy(conf.resolve(tests), work.resolve(tests));
                Processes.Result r = promtool("test", "rules", work.resolve(tests).toString());

                assertTrue(r.stdout().contains("SUCCESS"), tests + ": " + r.stdout() + r.stderr());
            }
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(work);
        }
    }

    @Test
    void scrapeConfig_passesPromtoolCheckConfig() {
        Processes.Result r = promtool("check", "config", conf.resolve("prometheus.yml").toString());

        assertTrue(r.stdout().contains("is valid prometheus config file syntax"), r.stdout() + r.stderr());
    }

    @Test
    void grafanaDashboard_isJsonWithUniquePanelIds_andPrometheusQueries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(conf.resolve("grafana-dashboard.json").toFile());

        assertEquals("kerbgate", dashboard.path("uid").asText());
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id " + panel.path("id"));
            for (JsonNode target : panel.path("targets")) {
                assertTrue(target.path("expr").asText().contains("kerbgate_"), target.toString());
                queries++;
            }
        }
        assertTrue(queries >= 15, "queries: " + queries);
    }
}

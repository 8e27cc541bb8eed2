package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rollover's Prometheus file ({@code keys roll --metrics-file}) and the journal's {@code last_success} it reads:
 * a failed run after a good one still reports the good one, and the file is what node_exporter and promtool accept.
 */
final class RolloverMetricsFileTest {

    private static final String SPN = "HTTP/array.example.test@ARRAY.TEST";
    private static final Instant T0 = Instant.parse("2026-03-01T03:17:00Z");

    @TempDir
    Path dir;

    @Test
    void lastSuccess_survivesAFailedRunThatReplacesTheJournal() throws Exception {
        Path file = dir.resolve("array.yaml.journal.json");
        Journal good = Journal.start("run-1", "roll", SPN, 3, 4, false, List.of("node1"), T0);
        good.done(T0.plusSeconds(60));
        good.save(file, T0.plusSeconds(60));

        Journal next = Journal.start("run-2", "roll", SPN, 4, 5, false, List.of("node1"), T0.plus(Duration.ofDays(30)));
        Journal.load(file).ifPresent(next::carryLastSuccess);
        next.failed("distribute failed on node1");
        next.save(file, T0.plus(Duration.ofDays(30)));

        Optional<Journal.Success> last = Journal.load(file).orElseThrow().lastSuccess();
        assertEquals(Optional.of(new Journal.Success(4, T0.plusSeconds(60))), last);
    }

    @Test
    void aJournalWithoutLastSuccess_thatFinished_countsAsOne() throws Exception {
        Path file = dir.resolve("array.yaml.journal.json");
        // The format before last_success: state done, and updated_at when it finished.
        Files.writeString(file, """
                {"format": 1, "run_id": "old", "command": "roll", "principal": "%s", "from_kvno": 1, "target_kvno": 2,
                 "create": false, "nodes": ["node1"], "state": "done", "started_at": "2026-01-01T00:00:00Z",
                 "updated_at": "2026-01-01T00:05:00Z", "committed_at": "2026-01-01T00:04:00Z", "error": null,
                 "steps": {}, "node_steps": {}}
                """.formatted(SPN));
        Journal next = Journal.start("run-2", "roll", SPN, 2, 3, false, List.of("node1"), T0);
        next.carryLastSuccess(Journal.load(file).orElseThrow());

        assertEquals(Optional.of(new Journal.Success(2, Instant.parse("2026-01-01T00:05:00Z"))), next.lastSuccess());
    }

    @Test
    void theFile_hasEverySample_withThePrincipal_andPassesPromtool() throws Exception {
        Path prom = dir.resolve("kerbgate_rollover.prom");
        Files.writeString(prom, "stale content\n");
        RolloverMetricsFile.write(prom, SPN, Optional.of(new Journal.Success(4, T0)), Duration.ofDays(30),
                T0.plus(Duration.ofDays(1)), 0);

        String text = Files.readString(prom);
        String labels = "{principal=\"" + SPN + "\"}";
        assertTrue(text.contains("\nkerbgate_rollover_last_success_timestamp_seconds" + labels + " "
                + T0.getEpochSecond() + ".000\n"), text);
        assertTrue(text.contains("\nkerbgate_rollover_last_success_kvno" + labels + " 4\n"), text);
        assertTrue(text.contains("\nkerbgate_rollover_interval_seconds" + labels + " 2592000\n"), text);
        assertTrue(text.contains("\nkerbgate_rollover_last_run_timestamp_seconds" + labels + " "
                + T0.plus(Duration.ofDays(1)).getEpochSecond() + ".000\n"), text);
        assertTrue(text.contains("\nkerbgate_rollover_last_run_exit_code" + labels + " 0\n"), text);
        assertFalse(text.contains("stale"), "the old file was replaced");
        try (var left = Files.list(dir)) {
            assertEquals(List.of(prom), left.toList(), "no temporary file left behind");
        }

        Path promtool = Path.of("/usr/bin/promtool");
        assumeTrue(Files.isExecutable(promtool), "promtool (package prometheus) is not installed");
        Processes.Result lint = Processes.command(promtool.toString(), "check", "metrics").stdin(text).exec();
        assertEquals(0, lint.exitCode(), lint.stdout() + lint.stderr());
    }

    @Test
    void everyRolloverMetricTheAlertsUse_isInTheFile() throws Exception {
        Path prom = dir.resolve("kerbgate_rollover.prom");
        RolloverMetricsFile.write(prom, SPN, Optional.of(new Journal.Success(4, T0)), Duration.ofDays(30), T0, 0);
        String text = Files.readString(prom);
        Path alerts = Path.of("").toAbsolutePath().getParent().resolve("conf/prometheus/kerbgate-alerts.yml");
        Matcher used = Pattern.compile("kerbgate_rollover_[a-z_]+").matcher(Files.readString(alerts));
        int count = 0;
        while (used.find()) {
            count++;
            assertTrue(text.contains("\n" + used.group() + "{"), used.group() + " is not in the file:\n" + text);
        }
        assertTrue(count >= 4, "the rollover alerts are gone from " + alerts);
    }

    @Test
    void aNeverRolledArray_writesTheRunOnly() throws Exception {
        Path prom = dir.resolve("kerbgate_rollover.prom");
        RolloverMetricsFile.write(prom, SPN, Optional.empty(), null, T0, 1);

        String text = Files.readString(prom);
        assertFalse(text.contains("last_success"), text);
        assertFalse(text.contains("interval"), text);
        assertTrue(text.contains("kerbgate_rollover_last_run_exit_code{principal=\"" + SPN + "\"} 1\n"), text);
    }
}

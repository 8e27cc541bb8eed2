package io.kerbgate.rollover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code keys roll --metrics-file FILE}: the rollover's state for Prometheus, in the text format that node_exporter's
 * textfile collector reads ({@code --collector.textfile.directory}; Debian's prometheus-node-exporter reads
 * {@code /var/lib/prometheus/node-exporter}). Written after every run, whatever its outcome, to a temporary file
 * renamed over the old one, so the collector never reads half a file. The alert rules in
 * {@code conf/prometheus/kerbgate-alerts.yml} use it; every sample carries {@code principal}, the array's.
 * <pre>{@code
 * kerbgate_rollover_last_success_timestamp_seconds  when a roll (or init) last finished on every node and the KDC
 * kerbgate_rollover_last_success_kvno               the kvno it put in place
 * kerbgate_rollover_interval_seconds                --if-older-than: the schedule the alert compares with
 * kerbgate_rollover_last_run_timestamp_seconds      when keys roll last ran (so a stopped timer shows)
 * kerbgate_rollover_last_run_exit_code              its exit code: 0 done or not due, 1 failed, 2 usage, 75 locked
 * }</pre>
 * The last success comes from the journal ({@link Journal#lastSuccess()}), which keeps it across failed runs. An
 * array that never finished a roll has no {@code last_success} samples; the alert {@code KerbgateArrayKeyNeverRolled}
 * covers that case.
 */
final class RolloverMetricsFile {

    private RolloverMetricsFile() {}

    static void write(Path file, String principal, Optional<Journal.Success> lastSuccess, @Nullable Duration interval,
                      Instant ranAt, int exitCode) throws IOException {
        String labels = "{principal=\"" + escape(principal) + "\"}";
        StringBuilder text = new StringBuilder();
        lastSuccess.ifPresent(success -> {
            gauge(text, "kerbgate_rollover_last_success_timestamp_seconds",
                    "When kerbgate keys last finished rolling the array key on every node and the KDC.", labels,
                    seconds(success.at()));
            gauge(text, "kerbgate_rollover_last_success_kvno", "The kvno the last successful roll put in place.",
                    labels, Integer.toString(success.kvno()));
        });
        if (interval != null) {
            gauge(text, "kerbgate_rollover_interval_seconds",
                    "The rollover schedule (keys roll --if-older-than), in seconds.", labels,
                    Long.toString(interval.toSeconds()));
        }
        gauge(text, "kerbgate_rollover_last_run_timestamp_seconds", "When kerbgate keys roll last ran.", labels,
                seconds(ranAt));
        gauge(text, "kerbgate_rollover_last_run_exit_code",
                "Exit code of the last kerbgate keys roll: 0 ok or not due, 1 failed, 2 usage, 75 locked.", labels,
                Integer.toString(exitCode));
        Path dir = file.toAbsolutePath().getParent();
        // In the same directory, named so the collector (which reads *.prom) skips it until the rename.
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            temp.toFile().setReadable(true, false);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void gauge(StringBuilder text, String name, String help, String labels, String value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(labels).append(' ').append(value).append('\n');
    }

    private static String seconds(Instant at) {
        return String.format(Locale.ROOT, "%.3f", at.toEpochMilli() / 1000.0);
    }

    /** The text format's label-value escapes: backslash, double quote, line feed. */
    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

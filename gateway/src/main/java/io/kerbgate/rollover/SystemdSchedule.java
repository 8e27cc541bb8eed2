package io.kerbgate.rollover;

import io.kerbgate.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code keys schedule}: unattended rollover as a systemd service + timer pair, and the equivalent crontab line.
 *
 * <p>The timer fires daily, not every N days: a monotonic {@code OnUnitActiveSec=30d} restarts counting at every
 * boot, so a host rebooted weekly would never roll. Each day the service retires what is past its grace, then rolls
 * only if the current key is older than the interval ({@code roll --if-older-than}), the age coming from the
 * journal or the KDC. A run that dies is finished by the next day's run.
 */
final class SystemdSchedule {

    static final String UNIT = "kerbgate-rollover";

    private final ArrayConfig array;
    private final Progress out;

    SystemdSchedule(ArrayConfig array, Progress out) {
        this.array = array;
        this.out = out;
    }

    /** Where Debian's prometheus-node-exporter reads textfile metrics ({@code --collector.textfile.directory}). */
    static final String DEFAULT_METRICS_FILE = "/var/lib/prometheus/node-exporter/kerbgate_rollover.prom";

    int write(Duration every, Path dir, String executable) {
        return write(every, dir, executable, DEFAULT_METRICS_FILE);
    }

    /**
     * The units, as the Debian package ships them for {@code --array /etc/kerbgate/array.yaml --every 30d}
     * ({@code conf/systemd/kerbgate-rollover.*}, kept equal by KeysCommandTest).
     */
    int write(Duration every, Path dir, String executable, String metricsFile) {
        String arrayFile = array.file().toAbsolutePath().toString();
        String age = Durations.format(every);
        String service = String.join("\n",
                "# Written by kerbgate keys schedule --every " + age + " --array " + arrayFile + ".",
                "# Started daily by " + UNIT + ".timer: retires kvnos past their grace, then rolls only when the current",
                "# key is older than " + age + ". A run that dies is finished by the next one (journal + pending key).",
                "[Unit]",
                "Description=kerbgate key rollover of the array in " + arrayFile,
                "Documentation=file:///usr/share/doc/kerbgate/deployment.md",
                "Wants=network-online.target",
                "After=network-online.target",
                "",
                "[Service]",
                "Type=oneshot",
                "# Root: kadmin.local reads the KDC's database, node keytabs are rewritten keeping their owner and mode,",
                "# and the lock, journal and pending key live beside the array file.",
                "User=root",
                "# A failed retire must not stop the roll; a failed roll fails the unit (see journalctl -u " + UNIT + ").",
                "ExecStart=-" + executable + " keys retire --array " + arrayFile,
                "# --metrics-file: the last successful roll for Prometheus (node_exporter's textfile collector); a",
                "# missing directory is reported in the journal and does not fail the roll.",
                "ExecStart=" + executable + " keys roll --array " + arrayFile + " --if-older-than " + age
                        + " --metrics-file " + metricsFile,
                "# Exit 75: another run held the lock; not a failure, the next day's run tries again.",
                "SuccessExitStatus=75",
                "UMask=0077",
                "",
                "");
        String timer = String.join("\n",
                "# Written by kerbgate keys schedule --every " + age + " --array " + arrayFile + ".",
                "# Daily, not every " + age + ": a monotonic OnUnitActiveSec= restarts counting at every boot, so a host",
                "# rebooted more often would never roll. The service itself decides whether the key is due.",
                "[Unit]",
                "Description=Daily check whether the kerbgate array key is due to roll (every " + age + ")",
                "",
                "[Timer]",
                "OnCalendar=daily",
                "RandomizedDelaySec=1h",
                "# Catches up on a day the host was down.",
                "Persistent=true",
                "",
                "[Install]",
                "WantedBy=timers.target",
                "",
                "");
        try {
            Files.createDirectories(dir);
            Path servicePath = Files.writeString(dir.resolve(UNIT + ".service"), service);
            Path timerPath = Files.writeString(dir.resolve(UNIT + ".timer"), timer);
            out.line("schedule", "systemd", Progress.OK, "wrote " + servicePath + " and " + timerPath
                    + "; enable with: systemctl daemon-reload && systemctl enable --now " + UNIT + ".timer");
        } catch (IOException e) {
            out.line("schedule", "systemd", Progress.FAILED, "cannot write into " + dir + ": " + e);
            return KeysTool.EXIT_FAILED;
        }
        out.note("or, without systemd, this crontab line (/etc/cron.d/" + UNIT + "):");
        out.note(crontabLine(executable, arrayFile, age));
        return KeysTool.EXIT_OK;
    }

    static String crontabLine(String executable, String arrayFile, String age) {
        return "17 3 * * * root " + executable + " keys retire --array " + arrayFile + "; " + executable
                + " keys roll --array " + arrayFile + " --if-older-than " + age;
    }
}

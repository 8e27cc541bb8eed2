package io.kerbgate.rollover;

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

    int write(Duration every, Path dir, String executable) {
        String arrayFile = array.file().toAbsolutePath().toString();
        String age = Durations.format(every);
        String service = String.join("\n",
                "# Written by kerbgate keys schedule --every " + age + ". Rolls the key of " + array.principal(),
                "# when it is older than " + age + ", and first retires kvnos whose grace has passed.",
                "[Unit]",
                "Description=kerbgate key rollover for " + array.principal(),
                "Wants=network-online.target",
                "After=network-online.target",
                "",
                "[Service]",
                "Type=oneshot",
                "# A failed retire must not stop the roll; a failed roll fails the unit (see journalctl -u " + UNIT + ").",
                "ExecStart=-" + executable + " keys retire --array " + arrayFile,
                "ExecStart=" + executable + " keys roll --array " + arrayFile + " --if-older-than " + age,
                "# Exit 75: another run held the lock; not a failure, the next day's run tries again.",
                "SuccessExitStatus=75",
                "UMask=0077",
                "",
                "");
        String timer = String.join("\n",
                "# Written by kerbgate keys schedule --every " + age + ".",
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

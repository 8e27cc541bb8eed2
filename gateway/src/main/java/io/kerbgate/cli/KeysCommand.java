package io.kerbgate.cli;

import io.kerbgate.config.ConfigException;
import io.kerbgate.config.Durations;
import io.kerbgate.rollover.KeysTool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code kerbgate keys}: the array key's life, after Exchange's ASA script: initial setup, rollover, adding a node,
 * scheduled unattended rollover. Each subcommand prints one line per node per step and exits 0 only when every step
 * it was asked for succeeded (see {@link KeysTool} for the other exit codes).
 */
@Command(name = "keys",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = "Roll the array's shared key: generate, distribute to every node, verify, commit to the KDC, "
                + "check, retire.",
        subcommands = {KeysCommand.Init.class, KeysCommand.Roll.class, KeysCommand.Retire.class,
                KeysCommand.AddNode.class, KeysCommand.Status.class, KeysCommand.Schedule.class})
final class KeysCommand {

    @ParentCommand
    private KerbgateCommand root;

    /** Loads the array file and runs one subcommand; a bad file is exit 2 with its one-line message. */
    int run(Path array, ToIntFunction<KeysTool> action) {
        KeysTool tool;
        try {
            tool = KeysToolFactory.forArrayFile(array, root.out());
        } catch (ConfigException e) {
            root.err().println(array + ": " + e.getMessage());
            return KerbgateCommand.EXIT_USAGE;
        }
        return action.applyAsInt(tool);
    }

    static final class ArrayOption {
        @Option(names = "--array", paramLabel = "FILE", defaultValue = "./array.yaml",
                description = "The array file (default: ${DEFAULT-VALUE}); conf/array.yaml is an example.")
        Path file;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the principal if the KDC lacks it and put its first key on the nodes.")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        private KeysCommand keys;
        @Mixin
        private ArrayOption array;
        @Option(names = "--nodes", split = ",", paramLabel = "NAME",
                description = "Only these nodes (default: every node of the array file).")
        private List<String> nodes = new ArrayList<>();

        @Override
        public Integer call() {
            return keys.run(array.file, tool -> tool.init(nodes));
        }
    }

    @Command(name = "roll", mixinStandardHelpOptions = true,
            description = "Roll to a new key (kvno n+1) on every node, then the KDC; or finish an interrupted run.")
    static final class Roll implements Callable<Integer> {
        @ParentCommand
        private KeysCommand keys;
        @Mixin
        private ArrayOption array;
        @Option(names = "--if-older-than", paramLabel = "AGE",
                description = "Roll only if the current key was committed longer ago, e.g. 30d (for timers).")
        private @Nullable String ifOlderThan;
        @Option(names = "--metrics-file", paramLabel = "FILE",
                description = "After the run, write its outcome and the time of the last successful roll here, for"
                        + " node_exporter's textfile collector, e.g. /var/lib/prometheus/node-exporter/"
                        + "kerbgate_rollover.prom")
        private @Nullable Path metricsFile;
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            Duration age = ifOlderThan == null ? null : duration(ifOlderThan, "--if-older-than", spec);
            if (metricsFile != null) {
                return keys.run(array.file, tool -> tool.rollWithMetrics(age, metricsFile));
            }
            return keys.run(array.file, tool -> age == null ? tool.roll() : tool.rollIfOlderThan(age));
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = "Remove kvnos older than the KDC's current one from node keytabs once the grace has passed.")
    static final class Retire implements Callable<Integer> {
        @ParentCommand
        private KeysCommand keys;
        @Mixin
        private ArrayOption array;

        @Override
        public Integer call() {
            return keys.run(array.file, KeysTool::retire);
        }
    }

    @Command(name = "add-node", mixinStandardHelpOptions = true,
            description = "Copy the current keys from an existing node to NAME (listed in the array file) and verify.")
    static final class AddNode implements Callable<Integer> {
        @ParentCommand
        private KeysCommand keys;
        @Mixin
        private ArrayOption array;
        @Parameters(paramLabel = "NAME", description = "The new node, as named in the array file.")
        private String name;
        @Option(names = "--from", paramLabel = "NODE",
                description = "The node to copy from (default: the first whose keytab holds the KDC's kvno).")
        private @Nullable String from;

        @Override
        public Integer call() {
            return keys.run(array.file, tool -> tool.addNode(name, from));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The KDC's kvno and every node's kvnos side by side; lagging nodes are flagged.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        private KeysCommand keys;
        @Mixin
        private ArrayOption array;

        @Override
        public Integer call() {
            return keys.run(array.file, KeysTool::status);
        }
    }

    @Command(name = "schedule", mixinStandardHelpOptions = true,
            description = "Write a systemd service and timer that roll every AGE (and retire), and print a crontab line.")
    static final class Schedule implements Callable<Integer> {
        @ParentCommand
        private KeysCommand keys;
        @Mixin
        private ArrayOption array;
        @Option(names = "--every", required = true, paramLabel = "AGE", description = "e.g. 30d")
        private String every;
        @Option(names = "--out", paramLabel = "DIR", defaultValue = "/etc/systemd/system",
                description = "Where to write the units (default: ${DEFAULT-VALUE}).")
        private Path out;
        @Option(names = "--exec", paramLabel = "PATH", defaultValue = "/usr/bin/kerbgate",
                description = "The kerbgate launcher the units run (default: ${DEFAULT-VALUE}).")
        private String executable;
        @Option(names = "--metrics-file", paramLabel = "FILE",
                defaultValue = "/var/lib/prometheus/node-exporter/kerbgate_rollover.prom",
                description = "The roll's --metrics-file (default: ${DEFAULT-VALUE}, where Debian's node_exporter "
                        + "reads textfile metrics).")
        private String metricsFile;
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            Duration age = duration(every, "--every", spec);
            return keys.run(array.file, tool -> tool.schedule(age, out, executable, metricsFile));
        }
    }

    /**
     * {@code 30d} or {@code 12h}, in the one duration grammar ({@link Durations}): rollover intervals are whole hours,
     * at least one.
     */
    static Duration duration(String text, String option, CommandSpec spec) {
        Duration interval;
        try {
            interval = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            interval = Duration.ZERO;
        }
        if (interval.compareTo(Duration.ofHours(1)) < 0 || interval.toSeconds() % 3600 != 0) {
            throw new ParameterException(spec.commandLine(),
                    option + ": \"" + text + "\" is not an interval; use days or hours, e.g. 30d or 12h");
        }
        return interval;
    }
}

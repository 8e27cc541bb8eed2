package io.kerbgate.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code kerbgate}, the command line. Every subcommand takes {@code --help} and {@code --version}.
 *
 * <p>Exit codes: 0 success, 1 failure at run time, 2 a usage or configuration error.
 */
@Command(name = "kerbgate",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = "Kerberos (SPNEGO) authentication gateway for load-balanced server arrays.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, DemoCommand.class, KeysCommand.class,
                TokenInspectCommand.class, DiagnoseCommand.class})
public final class KerbgateCommand {

    /** Exit code for a usage or configuration error, the same code picocli uses for a bad option. */
    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
    static final String DEFAULT_CONFIG = "/etc/kerbgate/kerbgate.yaml";

    private final PrintStream out;
    private final PrintStream err;

    public KerbgateCommand() {
        this(System.out, System.err);
    }

    /** A command that writes to the given streams, for running in-process (tests, the demo). */
    public KerbgateCommand(PrintStream out, PrintStream err) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
    }

    /** The command line with picocli's own output (help, version, usage errors) on the same streams. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return new CommandLine(new KerbgateCommand(out, err))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new KerbgateCommand()).execute(args));
    }

    /** The jar manifest's {@code Implementation-Version} (set by the shade plugin), or "dev" outside a jar. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = KerbgateCommand.class.getPackage().getImplementationVersion();
            return new String[] {"kerbgate " + (version == null ? "dev" : version)};
        }
    }
}

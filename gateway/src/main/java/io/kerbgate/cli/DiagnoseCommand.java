package io.kerbgate.cli;

import io.kerbgate.diagnostics.Check;
import io.kerbgate.diagnostics.Diagnosis;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "diagnose",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = {"Check this node step by step (config, keytab and its permissions, principals, kvnos and",
            "enctypes, clock against the KDC, DNS forward and reverse, krb5.conf and KDCs) and, given client",
            "credentials, validate a real service ticket from the KDC with this node's keytab: the end-to-end check",
            "after a key roll. Prints PASS/WARN/FAIL with the fix; exit 0 when nothing FAILs, 1 otherwise."},
        footer = {"", "Examples:",
            "  kerbgate diagnose --config /etc/kerbgate/kerbgate.yaml",
            "  kinit alice && kerbgate diagnose -c /etc/kerbgate/kerbgate.yaml --ccache /tmp/krb5cc_$(id -u)",
            "  kerbgate diagnose -c kerbgate.yaml --client probe@EXAMPLE.COM --client-keytab probe.keytab"})
final class DiagnoseCommand implements Callable<Integer> {

    @ParentCommand
    private KerbgateCommand root;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = KerbgateCommand.DEFAULT_CONFIG,
            description = "The gateway's YAML config (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Option(names = "--principal", paramLabel = "P",
            description = "The acceptor principal to check (default: the configured ones, else every one in the"
                    + " keytab).")
    private String principal;

    @ArgGroup(exclusive = true)
    private Credentials credentials;

    static final class Credentials {
        @Option(names = "--ccache", paramLabel = "FILE", description = "An MIT FILE: ccache with a TGT (after kinit).")
        Path ccache;

        @Option(names = "--client-keytab", paramLabel = "FILE", description = "A client keytab (with --client).")
        Path clientKeytab;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "A file whose first line is the client's password (with --client).")
        Path passwordFile;
    }

    @Option(names = "--client", paramLabel = "P", description = "The client principal, e.g. probe@EXAMPLE.COM.")
    private String client;

    @Option(names = "--krb5-conf", paramLabel = "FILE",
            description = "The krb5.conf to use (default: $KRB5_CONFIG, else /etc/krb5.conf).")
    private Path krb5Conf;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3",
            description = "Network timeout per connection (default: ${DEFAULT-VALUE}).")
    private int timeoutSeconds;

    @Override
    public Integer call() {
        Credentials c = credentials == null ? new Credentials() : credentials;
        Diagnosis.Options options = new Diagnosis.Options(config, principal, c.ccache, c.clientKeytab,
                c.passwordFile, client, krb5Conf, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        List<Check> checks = Diagnosis.run(options, Clock.systemUTC(), System.getenv());
        PrintStream out = root.out();
        checks.forEach(check -> out.println(check.render()));
        long fails = count(checks, Check.Status.FAIL);
        out.println();
        out.println("diagnose: " + count(checks, Check.Status.PASS) + " PASS, " + count(checks, Check.Status.WARN)
                + " WARN, " + fails + " FAIL");
        return fails == 0 ? 0 : 1;
    }

    private static long count(List<Check> checks, Check.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }
}

package io.kerbgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.Kerbgate;
import io.kerbgate.acceptor.AcceptorPolicy;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.diagnostics.AcceptorKeys;
import io.kerbgate.diagnostics.InspectionException;
import io.kerbgate.diagnostics.ReportText;
import io.kerbgate.diagnostics.TokenInspector;
import io.kerbgate.keys.KeySet;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "token-inspect",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = {"Explain a Negotiate token offline: framing, SPNEGO mechs and flags, NTLM, the ticket's realm,",
            "sname, kvno and enctype; with --keytab also the decrypted ticket and authenticator and the acceptor's",
            "verdict (a throwaway replay cache: the token is not marked as seen). Exit 0 when the token could be read",
            "(whatever the verdict), 1 on bad input."},
        footer = {"", "Examples:",
            "  kerbgate token-inspect 'Negotiate YIIC...'",
            "  pbpaste | kerbgate token-inspect --keytab /etc/kerbgate/http.keytab -",
            "  kerbgate token-inspect --config /etc/kerbgate/kerbgate.yaml --json 'YIIC...'"})
final class TokenInspectCommand implements Callable<Integer> {

    @ParentCommand
    private KerbgateCommand root;

    @Parameters(arity = "1..*", paramLabel = "TOKEN",
            description = "The token: base64, \"Negotiate <base64>\" or a whole Authorization header line; - reads it"
                    + " from standard input.")
    private List<String> token;

    @Option(names = "--keytab", paramLabel = "FILE", description = "Decrypt with this keytab and run the verdict.")
    private Path keytab;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Take the keytab, principals and acceptor policy (clock_skew, allow_rc4, realms) from this"
                    + " config; --keytab overrides its keytab.")
    private Path config;

    @Option(names = "--peer", paramLabel = "ADDRESS",
            description = "The client's IP address for the ticket-address check (default: the ticket's own).")
    private String peer;

    @Option(names = "--json", description = "Print the report as JSON.")
    private boolean json;

    @Override
    public Integer call() {
        try {
            String input = String.join(" ", token);
            if (input.equals("-")) {
                input = readStdin();
            }
            ObjectNode report = TokenInspector.inspect(input, settings());
            root.out().print(json ? toJson(report) : ReportText.render(report));
            return 0;
        } catch (InspectionException e) {
            root.err().println("kerbgate token-inspect: " + e.getMessage());
            return 1;
        } catch (ConfigException e) {
            root.err().println(e.getMessage());
            return KerbgateCommand.EXIT_USAGE;
        }
    }

    private TokenInspector.Settings settings() throws InspectionException, ConfigException {
        Clock clock = Clock.systemUTC();
        AcceptorPolicy policy = AcceptorPolicy.defaults(Instant.EPOCH);
        List<String> principals = List.of();
        Path keys = keytab;
        if (config != null) {
            GatewayConfig loaded = ConfigLoader.load(config);
            policy = Kerbgate.acceptorPolicy(loaded, Instant.EPOCH);
            principals = loaded.principals();
            keys = keys != null ? keys : loaded.keytabs().get(0);
        }
        KeySet keySet = keys == null ? null : AcceptorKeys.keySet(AcceptorKeys.read(keys), principals, clock);
        return new TokenInspector.Settings(keySet, policy, peerAddress(), clock);
    }

    private InetAddress peerAddress() throws InspectionException {
        if (peer == null) {
            return null;
        }
        // Literal addresses only: a name would be looked up in DNS, and the check compares addresses.
        if (!peer.matches("[0-9a-fA-F:.]+")) {
            throw new InspectionException("--peer " + peer + " is not an IP address");
        }
        try {
            return InetAddress.getByName(peer);
        } catch (UnknownHostException e) {
            throw new InspectionException("--peer " + peer + " is not an IP address");
        }
    }

    private static String readStdin() throws InspectionException {
        try {
            InputStream in = System.in;
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InspectionException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    private static String toJson(ObjectNode report) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report tree always serializes", e);
        }
    }
}

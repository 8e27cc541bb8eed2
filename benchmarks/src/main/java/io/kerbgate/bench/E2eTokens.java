package io.kerbgate.bench;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.messages.Ticket;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;

/**
 * Writes {@code Authorization} header values for {@code benchmarks/load/e2e.sh}, one a line, minted in process with
 * {@link BenchTokens} under the strongest key of {@value BenchTokens#SERVICE} in a keytab (the one exported from the
 * run's MIT KDC, which the gateway loads too).
 *
 * <pre>{@code java -cp benchmarks/target/benchmarks.jar io.kerbgate.bench.E2eTokens <keytab> <cold|cached> <n> <out>}</pre>
 *
 * {@code cold}: a new ticket (new session key) in every token, as n distinct clients' first requests would bring;
 * {@code cached}: one ticket, a fresh authenticator per token. Client times rise one microsecond per token from now.
 */
public final class E2eTokens {
    private E2eTokens() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !(args[1].equals("cold") || args[1].equals("cached"))) {
            System.err.println("usage: E2eTokens <keytab> <cold|cached> <n> <out>");
            System.exit(2);
        }
        KeytabEntry entry = KeytabFile.parse(Files.readAllBytes(Path.of(args[0]))).stream()
                .filter(e -> e.principal().equals(BenchTokens.SERVICE))
                .max(Comparator.comparingInt(KeytabEntry::kvno).thenComparingInt(e -> e.enctype() == 18 ? 1 : 0))
                .orElseThrow(() -> new IllegalArgumentException("no " + BenchTokens.SERVICE + " in " + args[0]));
        BenchTokens tokens = new BenchTokens(new KerberosKey(Enctype.fromId(entry.enctype()), entry.key()),
                entry.kvno());
        boolean cold = args[1].equals("cold");
        int n = Integer.parseInt(args[2]);
        Instant start = Instant.now();
        KerberosKey sessionKey = tokens.sessionKey();
        Ticket ticket = tokens.ticket(sessionKey, start);
        try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[3]))) {
            for (int i = 0; i < n; i++) {
                if (cold) {
                    sessionKey = tokens.sessionKey();
                    ticket = tokens.ticket(sessionKey, start);
                }
                out.write(BenchTokens.header(ticket, sessionKey, start.plusNanos(1000L * i)));
                out.newLine();
            }
        }
    }
}

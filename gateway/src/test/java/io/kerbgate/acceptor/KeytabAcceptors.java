package io.kerbgate.acceptor;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * kerbgate acceptors over the keys of a keytab file exactly as a KDC exported it, read the way production reads it:
 * {@link KeytabFile} parses the file, a {@link KeyRing} restricted to the service principal holds the keys. Each call
 * builds a new acceptor with its own empty replay cache and ticket cache.
 */
final class KeytabAcceptors {
    static final int MAX_TOKEN_BYTES = 64 * 1024;

    private KeytabAcceptors() {}

    static SpnegoAcceptor fromKeytab(Path keytab, String service, AcceptorPolicy policy, Clock clock) {
        KeyRing ring = new KeyRing(List.of(service), Duration.ofHours(10), clock);
        try {
            ring.update(entries(keytab));
        } catch (KeytabException e) {
            throw new AssertionError("keytab " + keytab + " does not load", e);
        }
        ApReqVerifier verifier = new ApReqVerifier(policy, clock, new LocalReplayCache(10_000, Ticker.systemTicker()),
                new TicketCache(1_000, Ticker.systemTicker()));
        return new SpnegoAcceptor(ring::current, verifier, MAX_TOKEN_BYTES);
    }

    static List<KeytabEntry> entries(Path keytab) {
        try {
            return KeytabFile.parse(Files.readAllBytes(keytab));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (KeytabException e) {
            throw new AssertionError("keytab " + keytab + " does not parse", e);
        }
    }

    /** The only entry of {@code principal} in the keytab, as a key; fails when there are several. */
    static KeytabEntry onlyEntry(Path keytab, String principal) {
        List<KeytabEntry> mine = entries(keytab).stream().filter(e -> e.principal().equals(principal)).toList();
        if (mine.size() != 1) {
            throw new AssertionError(keytab + " has " + mine.size() + " entries for " + principal + ", expected 1");
        }
        return mine.get(0);
    }

    static KerberosKey key(KeytabEntry entry) {
        return new KerberosKey(Enctype.fromId(entry.enctype()), entry.key());
    }

    /** Writes a keytab of {@code entries} (tests use it for keytabs that differ from the KDC's on purpose). */
    static Path write(Path file, List<KeytabEntry> entries) {
        try {
            return SecretFile.write(file, KeytabFile.write(entries));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

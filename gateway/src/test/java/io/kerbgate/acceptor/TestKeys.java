package io.kerbgate.acceptor;

import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Key sets for acceptor tests, built through the real {@link KeyRing} from keytab entries. */
final class TestKeys {
    private TestKeys() {}

    static KeytabEntry entry(String principal, int kvno, KerberosKey key) {
        return new KeytabEntry(principal, 1, 0, kvno, key.enctype().id(), key.bytes());
    }

    static KeySet keySet(Instant now, KeytabEntry... entries) {
        KeyRing ring = new KeyRing(List.of(), Duration.ofHours(10), Clock.fixed(now, ZoneOffset.UTC));
        try {
            ring.update(List.of(entries), now);
        } catch (KeytabException e) {
            throw new AssertionError(e);
        }
        return ring.current();
    }
}

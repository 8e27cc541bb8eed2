package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeySet;
import io.kerbgate.replay.Journal;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 item 5: one principal cannot deny everyone. At the smallest replay cache the config allows (1000 entries),
 * one user's flood of fresh authenticators (each one valid: a client that holds a ticket can make as many as it likes)
 * must end with that user refused, not with every user's requests answered 503 for 2 × skew.
 */
final class ReplayQuotaTest {
    private static final Instant NOW = Instant.parse("2026-11-25T08:00:00Z");
    private static final int SMALLEST_CACHE = 1_000;

    private final MutableClock clock = new MutableClock(NOW);
    private final KerberosKey key = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
    private final KeySet keys = TestKeys.keySet(NOW, TestKeys.entry(TokenMinter.SERVICE, 4, key));

    private SpnegoAcceptor acceptor(LocalReplayCache replay) {
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(NOW.minus(Duration.ofHours(1))), clock,
                replay, new TicketCache(100, Ticker.systemTicker()));
        return new SpnegoAcceptor(() -> keys, verifier, 64 * 1024);
    }

    private TokenMinter user(String name) {
        TokenMinter m = new TokenMinter(key, 4, NOW);
        m.cname = List.of(name);
        return m;
    }

    @Test
    void one_principal_flooding_is_refused_and_everyone_else_still_gets_in() throws Exception {
        SpnegoAcceptor acceptor = acceptor(new LocalReplayCache(SMALLEST_CACHE, Ticker.systemTicker()));
        TokenMinter mallory = user("mallory");
        Map<RejectReason, Integer> refused = new EnumMap<>(RejectReason.class);
        int accepted = 0;
        for (int i = 0; i < 2 * SMALLEST_CACHE; i++) {
            mallory.cusec = i; // a fresh authenticator each time, as a client may make at will
            Acceptance a = acceptor.authenticate(mallory.header(), InetAddress.getByName("192.0.2.7"));
            if (a instanceof Acceptance.Rejected r) {
                refused.merge(r.reason(), 1, Integer::sum);
            } else {
                accepted++;
            }
        }
        assertEquals(Map.of(RejectReason.REPLAY_QUOTA, 2 * SMALLEST_CACHE - accepted), refused,
                "the flood is refused for its sender's quota, never by filling the cache");

        for (String name : List.of("alice", "bob", "carol")) {
            Acceptance a = acceptor.authenticate(user(name).header(), InetAddress.getByName("192.0.2.8"));
            assertInstanceOf(Acceptance.Accepted.class, a, () -> name + " was refused: " + a);
        }
    }

    @Test
    void a_share_frees_as_its_entries_expire_and_an_address_is_bounded_too() throws Exception {
        FakeTicker ticker = new FakeTicker();
        LocalReplayCache cache = new LocalReplayCache(SMALLEST_CACHE, 10, 20, ticker, Journal.NONE);
        SpnegoAcceptor acceptor = acceptor(cache);
        InetAddress nat = InetAddress.getByName("2001:db8::1");
        TokenMinter mallory = user("mallory");
        for (int i = 0; i < 10; i++) {
            mallory.cusec = i;
            assertInstanceOf(Acceptance.Accepted.class, acceptor.authenticate(mallory.header(), nat));
        }
        mallory.cusec = 10;
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, acceptor.authenticate(mallory.header(), nat));
        assertEquals(RejectReason.REPLAY_QUOTA, r.reason(), r.detail());
        // Ten other users at another address of the same /64 fill the address's share of 20.
        InetAddress sameSlash64 = InetAddress.getByName("2001:db8::ffff:2");
        for (int i = 0; i < 10; i++) {
            assertInstanceOf(Acceptance.Accepted.class, acceptor.authenticate(user("u" + i).header(), sameSlash64));
        }
        r = assertInstanceOf(Acceptance.Rejected.class, acceptor.authenticate(user("late").header(), sameSlash64));
        assertEquals(RejectReason.REPLAY_QUOTA, r.reason(), r.detail());
        assertInstanceOf(Acceptance.Accepted.class,
                acceptor.authenticate(user("late").header(), InetAddress.getByName("2001:db8:0:1::1")));

        // 2 × skew later every entry has expired: mallory's share is free again.
        ticker.advance(Duration.ofMinutes(10).plusSeconds(1));
        mallory.cusec = 11;
        assertInstanceOf(Acceptance.Accepted.class, acceptor.authenticate(mallory.header(), nat));
        assertEquals(1, cache.heldBy("mallory@ARRAY.TEST"));
    }

    /** A ticker the test moves: replay entries expire without sleeping. */
    private static final class FakeTicker implements Ticker {
        private long nanos = 1_000_000_000L;

        void advance(Duration d) {
            nanos += d.toNanos();
        }

        @Override
        public long read() {
            return nanos;
        }
    }
}

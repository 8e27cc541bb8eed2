package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeySet;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Issue #11 item 8: after a restart without a replay file, nothing the previous run could have accepted may pass.
 * The previous run, alive until just before {@code START}, accepted authenticators stamped up to one skew ahead of
 * its clock, so up to {@code START + skew}: those are refused for as long as the skew check would let them in.
 */
final class RestartGuardTest {
    private static final Instant START = Instant.parse("2026-11-25T08:00:00Z");
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    private final MutableClock clock = new MutableClock(START);
    private final KerberosKey key = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
    private final KeySet keys = TestKeys.keySet(START, TestKeys.entry(TokenMinter.SERVICE, 4, key));

    private SpnegoAcceptor restartedAt(Instant start) {
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(start), clock,
                new LocalReplayCache(10_000, Ticker.systemTicker()), new TicketCache(100, Ticker.systemTicker()));
        return new SpnegoAcceptor(() -> keys, verifier, 64 * 1024);
    }

    private TokenMinter stampedAt(Instant ctime) {
        TokenMinter m = new TokenMinter(key, 4, START.minus(Duration.ofHours(1)));
        m.ctime = ctime;
        return m;
    }

    @Test
    void authenticator_stamped_ahead_of_the_old_run_is_refused_after_restart() {
        // A client 4 min fast sent this one second before the restart; the old run accepted it (240 s < skew).
        Instant oldRunNow = START.minusSeconds(1);
        TokenMinter fast = stampedAt(oldRunNow.plusSeconds(240));
        String header = fast.header();

        clock.set(START.plusSeconds(30));
        SpnegoAcceptor restarted = restartedAt(START);
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, restarted.authenticate(header, PEER),
                "a token the previous run may have accepted passed after the restart");
        assertEquals(RejectReason.REPLAY, r.reason(), r.detail());
    }

    @Test
    void every_stamp_the_old_run_could_have_seen_is_refused_until_it_expires() {
        SpnegoAcceptor restarted = restartedAt(START);
        for (long offset = -SKEW.toSeconds(); offset < SKEW.toSeconds(); offset += 17) {
            Instant ctime = START.plusSeconds(offset);
            // Any time at which the skew check lets it in.
            for (Instant now : new Instant[] {START, ctime.plus(SKEW).minusSeconds(1)}) {
                if (Duration.between(ctime, now).abs().compareTo(SKEW) > 0 || now.isBefore(START)) {
                    continue;
                }
                clock.set(now);
                Acceptance a = restarted.authenticate(stampedAt(ctime).header(), PEER);
                Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, a, "ctime " + ctime + " at " + now);
                assertEquals(RejectReason.REPLAY, r.reason(), r.detail());
            }
        }
    }

    @Test
    void stamps_the_old_run_cannot_have_seen_pass() {
        SpnegoAcceptor restarted = restartedAt(START);
        clock.set(START.plus(SKEW).plusSeconds(1));
        Acceptance a = restarted.authenticate(stampedAt(START.plus(SKEW)).header(), PEER);
        assertInstanceOf(Acceptance.Accepted.class, a, () -> ((Acceptance.Rejected) a).detail());
    }
}

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
import io.kerbgate.replay.ReplayCaches;
import io.kerbgate.replay.ReplayFile;
import io.kerbgate.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * What a restart costs, measured: 200 clients each send a token just before the restart and a fresh one just
     * after. With the replay file, every old token is still refused and no fresh one is; without it, every fresh token
     * in the first skew interval is refused (its clients retry after up to 5 minutes).
     */
    @Test
    void restart_with_the_replay_file_refuses_no_fresh_token_and_every_old_one(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("replay.cache");
        Duration life = SKEW.multipliedBy(2);
        List<String> before = new ArrayList<>();
        clock.set(START.minusSeconds(60));
        try (ReplayFile run1 = ReplayFile.open(file, clock, life)) {
            SpnegoAcceptor acceptor = withFile(run1, START.minus(Duration.ofHours(1)));
            for (int i = 0; i < 200; i++) {
                // Clients up to 4 min fast, as the MIT client of the report.
                String h = client(i, clock.instant().plusSeconds(i % 240)).header();
                assertInstanceOf(Acceptance.Accepted.class, acceptor.authenticate(h, PEER));
                before.add(h);
            }
        }
        clock.set(START.plusSeconds(5));
        int refusedFresh = 0;
        int refusedOld = 0;
        try (ReplayFile run2 = ReplayFile.open(file, clock, life)) {
            Instant guard = ReplayCaches.restartGuardStart(null, run2, clock.instant(), SKEW);
            assertEquals(Instant.EPOCH, guard, "a cleanly closed file needs no guard");
            SpnegoAcceptor restarted = withFile(run2, guard);
            for (int i = 0; i < 200; i++) {
                if (restarted.authenticate(client(i, clock.instant()).header(), PEER) instanceof Acceptance.Rejected) {
                    refusedFresh++;
                }
                Acceptance old = restarted.authenticate(before.get(i), PEER);
                if (old instanceof Acceptance.Rejected r && r.reason() == RejectReason.REPLAY) {
                    refusedOld++;
                }
            }
        }
        int refusedWithoutFile = 0;
        SpnegoAcceptor guarded = restartedAt(clock.instant());
        for (int i = 0; i < 200; i++) {
            if (guarded.authenticate(client(i, clock.instant()).header(), PEER) instanceof Acceptance.Rejected) {
                refusedWithoutFile++;
            }
        }
        System.out.printf("restart cost, 200 clients: with replay file %d fresh refused, %d/200 replays refused;"
                + " without it %d fresh refused%n", refusedFresh, refusedOld, refusedWithoutFile);
        assertEquals(0, refusedFresh);
        assertEquals(200, refusedOld);
        assertEquals(200, refusedWithoutFile);
    }

    private SpnegoAcceptor withFile(ReplayFile file, Instant guardStart) {
        ApReqVerifier verifier = new ApReqVerifier(AcceptorPolicy.defaults(guardStart), clock,
                new LocalReplayCache(10_000, 1_000, 2_500, Ticker.systemTicker(), file),
                new TicketCache(100, Ticker.systemTicker()));
        return new SpnegoAcceptor(() -> keys, verifier, 64 * 1024);
    }

    private TokenMinter client(int i, Instant ctime) {
        TokenMinter m = stampedAt(ctime);
        m.cname = List.of("user" + i);
        return m;
    }

    @Test
    void stamps_the_old_run_cannot_have_seen_pass() {
        SpnegoAcceptor restarted = restartedAt(START);
        clock.set(START.plus(SKEW).plusSeconds(1));
        Acceptance a = restarted.authenticate(stampedAt(START.plus(SKEW)).header(), PEER);
        assertInstanceOf(Acceptance.Accepted.class, a, () -> ((Acceptance.Rejected) a).detail());
    }
}

package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeySet;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncryptionKey;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regressions for what {@code io.kerbgate.fuzz.ApReqFuzzTest} found: inputs on which a check threw an unchecked
 * exception, so that the acceptor answered through its catch-all ("unexpected ...", logged as an acceptor bug with a
 * stack trace) instead of a typed refusal (checklist 27). Each is minted to hit exactly one of those spots.
 */
final class FuzzFindingsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T08:10:00Z");
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    private final MutableClock clock = new MutableClock(NOW);
    private final KerberosKey serviceKey = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
    private final KeySet keys = TestKeys.keySet(NOW, TestKeys.entry(TokenMinter.SERVICE, 4, serviceKey));
    private final SpnegoAcceptor acceptor = new SpnegoAcceptor(() -> keys, new ApReqVerifier(
            AcceptorPolicy.defaults(NOW.minus(Duration.ofHours(1))), clock,
            new LocalReplayCache(1_000, Ticker.systemTicker()), new TicketCache(1_000, Ticker.systemTicker())),
            64 * 1024);

    private TokenMinter minter() {
        return new TokenMinter(serviceKey, 4, NOW);
    }

    private Acceptance.Rejected refused(byte[] token, RejectReason reason) {
        Acceptance a = acceptor.authenticate(TokenMinter.header(token), PEER);
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, a);
        assertFalse(r.detail().startsWith("unexpected "), "catch-all path: " + r.detail());
        assertEquals(reason, r.reason(), r.detail());
        return r;
    }

    /** Found as IllegalArgumentException from {@code new KerberosKey} in ApReqVerifier.verify (session key). */
    @ParameterizedTest
    @ValueSource(ints = {0, 16, 31, 33})
    void ticketSessionKeyOfTheWrongLength_isMalformed(int length) {
        byte[] token = new ApReqSurgery(minter().spnegoToken(), serviceKey)
                .editTicket(t -> t.key = new EncryptionKey(18, new byte[length])).token();
        Acceptance.Rejected r = refused(token, RejectReason.MALFORMED);
        assertTrue(r.detail().contains("session key of " + length + " bytes"), r.detail());
    }

    /**
     * Found as IllegalArgumentException from {@code new KerberosKey} in ApReqVerifier.checkChecksum: a raw keyed
     * checksum under a subkey of the wrong length. Needs no service key: any client with a valid ticket can send it.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 5, 16, 31})
    void subkeyOfTheWrongLength_underARawKeyedChecksum_isMalformed(int length) {
        TokenMinter m = minter();
        m.subkey = new EncryptionKey(18, new byte[length]);
        m.cksum = new Checksum(16, new byte[12]);
        Acceptance.Rejected r = refused(m.spnegoToken(), RejectReason.MALFORMED);
        assertTrue(r.detail().contains("authenticator subkey of " + length + " bytes"), r.detail());
    }

    /**
     * Found as ArithmeticException from {@code Duration.toNanos()} in TicketCache.put: a ticket ending more than ~292
     * years from now. Such a ticket is valid and must be accepted, and cached.
     */
    @Test
    void ticketEndingCenturiesAhead_isAccepted_andCached() {
        TokenMinter m = minter();
        m.endtime = Instant.parse("9999-12-31T23:59:59Z");
        Acceptance.Accepted first = assertInstanceOf(Acceptance.Accepted.class,
                acceptor.authenticate(m.header(), PEER));
        assertFalse(first.cachedTicket());
        m.ticketCipherOverride = m.lastTicketCipher;
        Acceptance.Accepted second = assertInstanceOf(Acceptance.Accepted.class,
                acceptor.authenticate(m.header(), PEER));
        assertTrue(second.cachedTicket(), "the same ticket again comes from the ticket cache");
    }
}

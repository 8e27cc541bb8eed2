package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.ChannelBindings;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.TokenFacts;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/** Accepts one fixed token as alice; every other value is refused with a reason chosen by the token. */
final class FixedTokenAuthenticator implements HttpAuthenticator {

    static final String PRINCIPAL = "alice@ARRAY.TEST";
    /** {@code Negotiate dGVzdA==} ("test"): accepted, with {@link #RESPONSE_TOKEN}. */
    static final String GOOD = "Negotiate dGVzdA==";
    /** Refused with {@link RejectReason#REPLAY_CACHE_UNAVAILABLE} (503). */
    static final String UNAVAILABLE = "Negotiate dW5hdmFpbGFibGU=";
    /** Any other Negotiate value: refused with {@link RejectReason#INTEGRITY} and {@link #REJECT_TOKEN}. */
    static final String BAD = "Negotiate YmFk";
    static final byte[] RESPONSE_TOKEN = "mutual-ap-rep".getBytes(StandardCharsets.US_ASCII);
    static final byte[] REJECT_TOKEN = "neg-state-reject".getBytes(StandardCharsets.US_ASCII);
    /** Goes to the log only; a response body containing it is a leak. */
    static final String SECRET_DETAIL = "detail-for-operators-only";

    final AtomicInteger calls = new AtomicInteger();

    static String b64(byte[] token) {
        return Base64.getEncoder().encodeToString(token);
    }

    @Override
    public Acceptance authenticate(String authorization, InetAddress peer, ChannelBindings bindings) {
        calls.incrementAndGet();
        if (authorization.equals(GOOD)) {
            return new Acceptance.Accepted(PRINCIPAL, "HTTP/gw.array.test@ARRAY.TEST", 3, 18, RESPONSE_TOKEN, false);
        }
        if (authorization.equals(UNAVAILABLE)) {
            return Acceptance.Rejected.of(RejectReason.REPLAY_CACHE_UNAVAILABLE, SECRET_DETAIL);
        }
        TokenFacts facts = new TokenFacts("1.2.840.113554.1.2.2", "HTTP/gw\r\nforged@ARRAY.TEST", 3, 18, null);
        return new Acceptance.Rejected(RejectReason.INTEGRITY, SECRET_DETAIL, facts, REJECT_TOKEN);
    }
}

package io.kerbgate.acceptor;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.keys.KeySet;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.replay.ReplayCache;
import java.net.InetAddress;
import java.time.Clock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptor's entry point: {@code Authorization: Negotiate <b64>} in, verdict out. No Netty here; the proxy
 * calls it per request. Decoding happens in three layers (header, SPNEGO/GSS framing, AP-REQ), each of which stops
 * at its first failed check with a {@link Refusal}. Anything else thrown while reading client input is a bug in
 * those layers: it is logged with its stack trace for us and still answered as a refusal for the client.
 */
public final class SpnegoAcceptor implements HttpAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(SpnegoAcceptor.class);
    /** Enough for the few tokens a tool judges. */
    private static final int TOOL_REPLAY_ENTRIES = 1_000;

    private final Supplier<KeySet> keys;
    private final ApReqVerifier verifier;
    private final ApRepFactory apReps = new ApRepFactory();
    private final int maxTokenBytes;

    /**
     * @param keys          the current key set, read once per request (the rollover listener swaps it)
     * @param maxTokenBytes the largest decoded token accepted; larger ones are refused before decoding
     */
    public SpnegoAcceptor(Supplier<KeySet> keys, ApReqVerifier verifier, int maxTokenBytes) {
        this.keys = keys;
        this.verifier = verifier;
        this.maxTokenBytes = maxTokenBytes;
    }

    /**
     * The acceptor as the gateway builds it: the policy's token cap, its replay cache and ticket cache.
     *
     * @param keys    the current key set, read once per request (the rollover listener swaps it)
     * @param tickets the ticket cache, or {@code null} to decrypt every ticket
     */
    public static SpnegoAcceptor create(Supplier<KeySet> keys, AcceptorPolicy policy, Clock clock,
            ReplayCache replayCache, @Nullable TicketCache tickets) {
        return new SpnegoAcceptor(keys, new ApReqVerifier(policy, clock, replayCache, tickets),
                policy.maxTokenBytes());
    }

    /**
     * An acceptor for the tools ({@code diagnose}, {@code token-inspect}, the rollover's check) that judge a token or
     * two with fixed keys: a throwaway replay cache, no ticket cache. Give it a policy whose {@code startedAt} is the
     * epoch: a cache that lives for a few tokens has no previous run to guard against.
     */
    public static SpnegoAcceptor forTools(KeySet keys, AcceptorPolicy policy, Clock clock) {
        return create(() -> keys, policy, clock, new LocalReplayCache(TOOL_REPLAY_ENTRIES, Ticker.systemTicker()),
                null);
    }

    @Override
    public Acceptance authenticate(String authorization, InetAddress peer, ChannelBindings bindings) {
        Facts facts = new Facts();
        try {
            byte[] token = NegotiateHeader.decode(authorization, maxTokenBytes);
            InitialToken initial = NegotiationTokens.parseInitial(token);
            facts.mech = initial.mech();
            ApReqVerifier.Verified v = verifier.verify(initial.apReq(), keys.get(), peer, bindings, facts);
            byte[] apRep = v.mutualRequested() ? apReps.build(v.sessionKey(), v.authenticator()) : null;
            byte[] response = NegotiationTokens.acceptCompleted(initial, apRep);
            return new Acceptance.Accepted(v.client(), v.service(), v.kvno(), v.enctype(), response, v.cachedTicket(),
                    v.groups(), v.endtime());
        } catch (Refusal r) {
            byte[] rejectToken = r.reason() == RejectReason.MECH_UNSUPPORTED ? NegotiationTokens.reject() : null;
            return new Acceptance.Rejected(r.reason(), r.detail(), facts.toFacts(), rejectToken);
        } catch (RuntimeException | StackOverflowError e) {
            log.warn("acceptor bug: unexpected exception on client input (refused as malformed)", e);
            return new Acceptance.Rejected(RejectReason.MALFORMED, "unexpected " + e.getClass().getSimpleName(),
                    facts.toFacts(), null);
        }
    }

    @Override
    public KeySet keys() {
        return keys.get();
    }

    /** Collects what is known about a token as the layers get through it; one per request, never shared. */
    private static final class Facts implements ApReqVerifier.FactsSink {
        String mech;
        String sname;
        long kvno = -1;
        int enctype = -1;
        String client;

        @Override
        public void ticket(String sname, long kvno, int enctype) {
            this.sname = sname;
            this.kvno = kvno;
            this.enctype = enctype;
        }

        @Override
        public void client(String client) {
            this.client = client;
        }

        TokenFacts toFacts() {
            return new TokenFacts(mech, sname, (int) kvno, enctype, client);
        }
    }
}

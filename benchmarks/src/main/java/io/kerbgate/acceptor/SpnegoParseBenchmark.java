package io.kerbgate.acceptor;

import io.kerbgate.bench.AbstractBenchmark;
import io.kerbgate.bench.BenchTokens;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.der.DerException;
import io.kerbgate.messages.ApReq;
import java.time.Instant;
import java.util.Base64;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The parsing layers of the acceptor, each alone, on one browser-shaped SPNEGO header (no decryption, no checks):
 * {@code header} is {@link NegotiateHeader#decode} (scheme, limits, strict base64), with {@code jdkBase64} as its
 * baseline ({@link Base64}'s lenient decoder on the same text); {@code framing} is
 * {@link NegotiationTokens#parseInitial} (GSS and SPNEGO framing down to the AP-REQ bytes); {@code apReq} is
 * {@link ApReq#decode} (the DER of the AP-REQ and its ticket); {@code all} is the three in a row, what
 * {@code SpnegoAcceptor} does before its first decryption. Parsing keeps no state, so one token serves every op.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SpnegoParseBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
public class SpnegoParseBenchmark extends AbstractBenchmark {
    private static final int MAX_TOKEN_BYTES = 64 * 1024;

    private String header;
    private String base64;
    private byte[] token;
    private byte[] apReqDer;

    @Setup
    public void setUp() throws Refusal {
        BenchTokens minter = new BenchTokens(Enctype.AES256_CTS_HMAC_SHA1_96);
        var sessionKey = minter.sessionKey();
        Instant now = Instant.now();
        header = BenchTokens.header(minter.ticket(sessionKey, now), sessionKey, now);
        base64 = header.substring("Negotiate ".length());
        token = NegotiateHeader.decode(header, MAX_TOKEN_BYTES);
        apReqDer = NegotiationTokens.parseInitial(token).apReq();
    }

    @Benchmark
    public byte[] header() throws Refusal {
        return NegotiateHeader.decode(header, MAX_TOKEN_BYTES);
    }

    @Benchmark
    public byte[] jdkBase64() {
        return Base64.getDecoder().decode(base64);
    }

    @Benchmark
    public InitialToken framing() throws Refusal {
        return NegotiationTokens.parseInitial(token);
    }

    @Benchmark
    public ApReq apReq() throws DerException {
        return ApReq.decode(apReqDer);
    }

    @Benchmark
    public ApReq all() throws Refusal, DerException {
        return ApReq.decode(NegotiationTokens.parseInitial(NegotiateHeader.decode(header, MAX_TOKEN_BYTES)).apReq());
    }
}

package io.kerbgate.acceptor;

import io.kerbgate.bench.AbstractBenchmark;
import io.kerbgate.bench.BenchTokens;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.Authenticator;
import java.time.Instant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The AP-REP of mutual authentication ({@link ApRepFactory#build}): a random acceptor subkey and sequence number,
 * the EncAPRepPart's DER, its encryption under the ticket session key (usage 12), the AP-REP's DER.
 *
 * <p>{@link SessionKey} selects the baseline: a session key whose usage-12 keys are already derived (the cached
 * path: the ticket cache hands back the same {@link KerberosKey}) or a new one each time (the cold path: a new
 * ticket brings a new session key, so Ke and Ki are derived per AP-REP). {@code subkeyOnly} is the
 * {@link java.security.SecureRandom} draw of the subkey alone, to see what randomness costs.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ApRepBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
public class ApRepBenchmark extends AbstractBenchmark {
    /** Whether the session key's derived keys are reused across operations. */
    public enum SessionKey {
        DERIVED_ONCE,
        NEW_PER_OP
    }

    @Param({"aes256-cts-hmac-sha1-96", "aes256-cts-hmac-sha384-192"})
    public String enctype;

    @Param
    public SessionKey sessionKey;

    private final ApRepFactory apReps = new ApRepFactory();
    private KerberosKey key;
    private byte[] keyBytes;
    private Authenticator authenticator;

    @Setup
    public void setUp() {
        key = KerberosCrypto.randomKey(Enctype.fromName(enctype));
        keyBytes = key.bytes();
        authenticator = BenchTokens.authenticator(key, Instant.now());
    }

    @Benchmark
    public byte[] build() {
        KerberosKey k = sessionKey == SessionKey.DERIVED_ONCE ? key : new KerberosKey(key.enctype(), keyBytes);
        return apReps.build(k, authenticator);
    }

    @Benchmark
    public KerberosKey subkeyOnly() {
        return KerberosCrypto.randomKey(key.enctype());
    }
}

package io.kerbgate.acceptor;

import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.ApRep;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.EncryptionKey;

/**
 * Builds the AP-REP of mutual authentication (RFC 4120 §5.5.2, RFC 4121 §4.1): ctime and cusec copied from the
 * authenticator, a fresh acceptor subkey and a random sequence number, encrypted with the <em>ticket session key</em>
 * under key usage 12. Written here rather than taken from Kerby, whose {@code ApResponse} encrypts with the wrong key.
 */
final class ApRepFactory {
    private static final int USAGE_AP_REP = 12;


    byte[] build(KerberosKey sessionKey, Authenticator auth) {
        KerberosKey subkey = KerberosCrypto.randomKey(sessionKey.enctype());
        // RFC 4121 §4.2.2 sequence numbers are 64-bit, but the AP-REP field is UInt32; MIT and the JDK keep the
        // initial value below 2^30 so that wrap-around needs no special case.
        long seq = KerberosCrypto.randomInt(1 << 30);
        byte[] encPart = ApRep.encodeEncPart(auth.ctime(), auth.cusec(),
                new EncryptionKey(subkey.enctype().id(), subkey.bytes()), seq);
        byte[] cipher = KerberosCrypto.encrypt(sessionKey, USAGE_AP_REP, encPart);
        return ApRep.encode(new EncryptedData(sessionKey.enctype().id(), EncryptedData.NO_KVNO, cipher));
    }
}

package io.kerbgate.diagnostics;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import io.kerbgate.messages.PrincipalName;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Asks a KDC for its time, over TCP (RFC 4120 §7.2.2), with no credentials: an AS-REQ for a client name that does
 * not exist. Every KRB-ERROR carries the KDC's {@code stime} and {@code susec} (RFC 4120 §5.9.1), so the answer
 * ({@code KDC_ERR_C_PRINCIPAL_UNKNOWN}, normally) tells both that the KDC speaks Kerberos and what time it keeps.
 * The KDC logs one failed AS request for {@code kerbgate-clock-probe}; nothing else changes on it.
 *
 * <pre>
 * AS-REQ       ::= [APPLICATION 10] KDC-REQ
 * KDC-REQ      ::= SEQUENCE { pvno [1] INTEGER (5), msg-type [2] INTEGER (10), padata [3] ... OPTIONAL,
 *                             req-body [4] KDC-REQ-BODY }
 * KDC-REQ-BODY ::= SEQUENCE { kdc-options [0] KDCOptions, cname [1] PrincipalName OPTIONAL, realm [2] Realm,
 *                             sname [3] PrincipalName OPTIONAL, from [4] ... OPTIONAL, till [5] KerberosTime,
 *                             rtime [6] ... OPTIONAL, nonce [7] UInt32, etype [8] SEQUENCE OF Int32, ... }
 * KRB-ERROR    ::= [APPLICATION 30] SEQUENCE { pvno [0], msg-type [1], ctime [2] OPTIONAL, cusec [3] OPTIONAL,
 *                             stime [4] KerberosTime, susec [5] Microseconds, error-code [6] Int32, ... }
 * </pre>
 */
final class KdcProbe {
    static final String PROBE_CLIENT = "kerbgate-clock-probe";
    private static final int MAX_REPLY = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The KDC's answer.
     *
     * @param kdcTime   the KDC's clock (stime + susec), or null when the reply carried none (an AS-REP)
     * @param errorCode the KRB-ERROR code, or -1 for a reply that is not an error
     * @param rtt       the round trip, to put a bound on the offset's precision
     */
    record Answer(@Nullable Instant kdcTime, int errorCode, Duration rtt) {}

    private KdcProbe() {}

    static Answer ask(String host, int port, String realm, Instant now, Duration timeout)
            throws IOException, DerException {
        byte[] request = asReq(realm, now);
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(request.length).array());
            out.write(request);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length = in.readInt();
            if (length <= 0 || length > MAX_REPLY) {
                throw new DerException("reply length " + length + " is not a Kerberos reply", 0);
            }
            byte[] reply = new byte[length];
            in.readFully(reply);
            Duration rtt = Duration.ofNanos(System.nanoTime() - start);
            return parse(reply, rtt);
        }
    }

    static byte[] asReq(String realm, Instant now) {
        byte[] body = DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.bitFlags(0)),
                DerWriter.explicit(1, new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of(PROBE_CLIENT)).encode()),
                DerWriter.explicit(2, DerWriter.generalString(realm)),
                DerWriter.explicit(3, new PrincipalName(PrincipalName.NT_SRV_INST, List.of("krbtgt", realm)).encode()),
                DerWriter.explicit(5, DerWriter.kerberosTime(now.plus(Duration.ofDays(1)))),
                DerWriter.explicit(7, DerWriter.integer(RANDOM.nextInt(Integer.MAX_VALUE))),
                DerWriter.explicit(8, DerWriter.sequence(DerWriter.integer(18), DerWriter.integer(17))));
        return DerWriter.application(10, DerWriter.sequence(
                DerWriter.explicit(1, DerWriter.integer(5)),
                DerWriter.explicit(2, DerWriter.integer(10)),
                DerWriter.explicit(4, body)));
    }

    static Answer parse(byte[] reply, Duration rtt) throws DerException {
        DerReader top = DerReader.of(reply);
        if (!top.nextIs(0x7E)) {
            // An AS-REP (0x6B) would mean the probe name exists without pre-authentication; it carries no clear time.
            return new Answer(null, -1, rtt);
        }
        DerReader seq = top.readConstructed(0x7E).readConstructed(DerReader.SEQUENCE);
        seq.readExplicit(0).readInt();
        seq.readExplicit(1).readInt();
        if (seq.nextIs(0xA2)) {
            seq.readExplicit(2).readKerberosTime();
        }
        if (seq.nextIs(0xA3)) {
            seq.readExplicit(3).readInt();
        }
        Instant stime = seq.readExplicit(4).readKerberosTime();
        int susec = seq.readExplicit(5).readInt();
        int code = seq.readExplicit(6).readInt();
        return new Answer(stime.plusNanos(susec * 1000L), code, rtt);
    }

    /** The RFC 4120 §7.5.9 name of a KDC error code. */
    static String errorName(int code) {
        return switch (code) {
            case 6 -> "KDC_ERR_C_PRINCIPAL_UNKNOWN";
            case 7 -> "KDC_ERR_S_PRINCIPAL_UNKNOWN";
            case 14 -> "KDC_ERR_ETYPE_NOSUPP";
            case 24 -> "KDC_ERR_PREAUTH_FAILED";
            case 25 -> "KDC_ERR_PREAUTH_REQUIRED";
            case 37 -> "KRB_AP_ERR_SKEW";
            case 68 -> "KDC_ERR_WRONG_REALM";
            default -> "error " + code;
        };
    }
}

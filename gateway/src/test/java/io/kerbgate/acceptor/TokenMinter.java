package io.kerbgate.acceptor;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerWriter;
import io.kerbgate.messages.ApReq;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.EncryptionKey;
import io.kerbgate.messages.HostAddress;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.messages.Ticket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;

/**
 * Mints AP-REQs in process, as a KDC and a client would, with every field open to change so that a test can fail
 * exactly one check of the acceptor. Defaults make a valid token for {@code HTTP/array.example.test@ARRAY.TEST}.
 */
final class TokenMinter {
    static final String REALM = "ARRAY.TEST";
    static final String SERVICE = "HTTP/array.example.test@ARRAY.TEST";
    static final byte[] KRB5_OID = DerWriter.oidContents("1.2.840.113554.1.2.2");
    static final byte[] MS_KRB5_OID = DerWriter.oidContents("1.2.840.48018.1.2.2");
    static final byte[] SPNEGO_OID = DerWriter.oidContents("1.3.6.1.5.5.2");
    static final byte[] NTLM_OID = DerWriter.oidContents("1.3.6.1.4.1.311.2.2.10");

    // Ticket (what the KDC writes)
    KerberosKey serviceKey;
    long kvno;
    int tktVno = 5;
    String snameRealm = REALM;
    List<String> sname = List.of("HTTP", "array.example.test");
    Integer ticketEtypeOverride;
    Enctype sessionEtype;
    String crealm = REALM;
    List<String> cname = List.of("alice");
    int ticketFlags = EncTicketPart.FLAG_PRE_AUTHENT | EncTicketPart.FLAG_INITIAL;
    Instant authtime;
    Instant starttime;
    Instant endtime;
    List<HostAddress> caddr = List.of();
    byte[] transited = new byte[0];
    AuthorizationData ticketAuthData = AuthorizationData.EMPTY;

    // AP-REQ envelope and authenticator (what the client writes)
    int pvno = 5;
    int msgType = 14;
    int apOptions = ApReq.MUTUAL_REQUIRED;
    int authVno = 5;
    String authCrealm;
    List<String> authCname;
    Instant ctime;
    int cusec = 123_456;
    Checksum cksum;
    boolean noChecksum;
    EncryptionKey subkey;
    Integer authEtypeOverride;
    byte[] authenticatorCipherOverride;
    byte[] ticketCipherOverride;

    KerberosKey sessionKey;
    byte[] lastTicketCipher;

    TokenMinter(KerberosKey serviceKey, long kvno, Instant now) {
        this.serviceKey = serviceKey;
        this.kvno = kvno;
        this.sessionEtype = serviceKey.enctype();
        Instant t = now.truncatedTo(ChronoUnit.SECONDS);
        this.authtime = t;
        this.starttime = t;
        this.endtime = t.plus(10, ChronoUnit.HOURS);
        this.ctime = t;
    }

    static byte[] gssChecksum(int flags) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(16).put(new byte[16]).putInt(flags)
                .array();
    }

    byte[] apReq() {
        sessionKey = sessionKey != null ? sessionKey : KerberosCrypto.randomKey(sessionEtype);
        EncTicketPart part = new EncTicketPart(ticketFlags,
                new EncryptionKey(sessionKey.enctype().id(), sessionKey.bytes()), crealm,
                new PrincipalName(PrincipalName.NT_PRINCIPAL, cname), 1, transited, authtime, starttime, endtime,
                null, caddr, ticketAuthData);
        byte[] ticketCipher = ticketCipherOverride != null ? ticketCipherOverride
                : KerberosCrypto.encrypt(serviceKey, 2, part.encode());
        lastTicketCipher = ticketCipher;
        int tEtype = ticketEtypeOverride != null ? ticketEtypeOverride : serviceKey.enctype().id();
        Ticket ticket = new Ticket(tktVno, snameRealm, new PrincipalName(PrincipalName.NT_SRV_INST, sname),
                new EncryptedData(tEtype, kvno, ticketCipher));

        Checksum c = noChecksum ? null : cksum != null ? cksum
                : new Checksum(Checksum.GSS_API, gssChecksum(2 | 4 | 8 | 16 | 32));
        Authenticator auth = new Authenticator(authVno, authCrealm != null ? authCrealm : crealm,
                new PrincipalName(PrincipalName.NT_PRINCIPAL, authCname != null ? authCname : cname), c, cusec, ctime,
                subkey, 42, null);
        byte[] authCipher = authenticatorCipherOverride != null ? authenticatorCipherOverride
                : KerberosCrypto.encrypt(sessionKey, 11, auth.encode());
        int aEtype = authEtypeOverride != null ? authEtypeOverride : sessionKey.enctype().id();
        return new ApReq(pvno, msgType, apOptions, ticket, new EncryptedData(aEtype, EncryptedData.NO_KVNO, authCipher))
                .encode();
    }

    /** {@code 60 len 06 <krb5 oid> 01 00 <AP-REQ>}: a raw GSS krb5 initial token (RFC 2743 §3.1, RFC 4121 §4.1). */
    static byte[] krb5Token(byte[] oid, byte[] tokId, byte[] body) {
        return DerWriter.tlv(0x60, DerWriter.oid(oid), tokId, body);
    }

    static byte[] spnego(byte[] firstMech, byte[] mechToken, byte[]... moreMechs) {
        byte[][] mechs = new byte[1 + moreMechs.length][];
        mechs[0] = DerWriter.oid(firstMech);
        for (int i = 0; i < moreMechs.length; i++) {
            mechs[i + 1] = DerWriter.oid(moreMechs[i]);
        }
        byte[] init = mechToken == null
                ? DerWriter.sequence(DerWriter.explicit(0, DerWriter.sequence(mechs)))
                : DerWriter.sequence(DerWriter.explicit(0, DerWriter.sequence(mechs)),
                        DerWriter.explicit(2, DerWriter.octetString(mechToken)));
        return DerWriter.tlv(0x60, DerWriter.oid(SPNEGO_OID), DerWriter.explicit(0, init));
    }

    byte[] spnegoToken() {
        return spnego(KRB5_OID, krb5Token(KRB5_OID, new byte[] {1, 0}, apReq()));
    }

    String header() {
        return "Negotiate " + Base64.getEncoder().encodeToString(spnegoToken());
    }

    static String header(byte[] token) {
        return "Negotiate " + Base64.getEncoder().encodeToString(token);
    }
}

package io.kerbgate.bench;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerWriter;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.messages.ApReq;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.EncryptionKey;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.messages.Ticket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Mints valid SPNEGO tokens in process, as a KDC (the ticket) and a client (the authenticator) would, for
 * {@value #SERVICE} with one random service key. The tokens have the shape MIT's and the JDK's initiators send:
 * SPNEGO NegTokenInit with krb5 first and the optimistic AP-REQ, ap-options mutual-required, an authenticator with a
 * GSS checksum (flags mutual, replay, sequence, conf, integ; no channel bindings), an acceptor subkey and a sequence
 * number. Tickets carry no PAC (an MIT or Kerby KDC), so they are smaller than Active Directory's.
 *
 * <p>Thread-safe: minting only reads the service key.
 */
public final class BenchTokens {
    public static final String REALM = "ARRAY.TEST";
    public static final String SERVICE = "HTTP/array.example.test@ARRAY.TEST";
    public static final String CLIENT = "alice@" + REALM;
    public static final int KVNO = 4;
    /** How long the KDC makes a ticket valid: the usual 10 hours. */
    public static final Duration TICKET_LIFETIME = Duration.ofHours(10);

    private static final PrincipalName SNAME =
            new PrincipalName(PrincipalName.NT_SRV_INST, List.of("HTTP", "array.example.test"));
    private static final PrincipalName CNAME = new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of("alice"));
    private static final byte[] KRB5_OID = DerWriter.oidContents("1.2.840.113554.1.2.2");
    private static final byte[] SPNEGO_OID = DerWriter.oidContents("1.3.6.1.5.5.2");
    private static final byte[] KRB5_AP_REQ_TOK_ID = {1, 0};
    private static final int USAGE_TICKET = 2;
    private static final int USAGE_AUTHENTICATOR = 11;
    /** RFC 4121 §4.1.1: Lgth 16, zero channel bindings, flags mutual|replay|sequence|conf|integ. */
    private static final byte[] GSS_CHECKSUM = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(16).put(new byte[16]).putInt(2 | 4 | 8 | 16 | 32).array();

    private final KerberosKey serviceKey;
    private final int kvno;

    public BenchTokens(Enctype enctype) {
        this(KerberosCrypto.randomKey(enctype), KVNO);
    }

    /** Tokens for {@value #SERVICE} under a given key, such as one exported from a real KDC ({@code E2eTokens}). */
    public BenchTokens(KerberosKey serviceKey, int kvno) {
        this.serviceKey = serviceKey;
        this.kvno = kvno;
    }

    /** The service's long-term key, which the ticket cache is keyed on. */
    public KerberosKey serviceKey() {
        return serviceKey;
    }

    public Enctype enctype() {
        return serviceKey.enctype();
    }

    /** The keytab of the service: one entry, {@value #SERVICE} at its kvno ({@value #KVNO} unless given). */
    public List<KeytabEntry> keytab() {
        return List.of(new KeytabEntry(SERVICE, PrincipalName.NT_PRINCIPAL, 0, kvno, serviceKey.enctype().id(),
                serviceKey.bytes()));
    }

    /** A key ring loaded from {@link #keytab()}, as the gateway's keytab watcher would leave it. */
    public KeyRing keyRing() {
        KeyRing ring = new KeyRing(List.of(SERVICE), TICKET_LIFETIME, Clock.systemUTC());
        try {
            ring.update(keytab());
        } catch (KeytabException e) {
            throw new IllegalStateException(e);
        }
        return ring;
    }

    /** A fresh session key of the service's enctype, as the KDC makes one per ticket. */
    public KerberosKey sessionKey() {
        return KerberosCrypto.randomKey(serviceKey.enctype());
    }

    /** A service ticket for {@value #CLIENT}, valid from {@code authtime} for {@link #TICKET_LIFETIME}. */
    public Ticket ticket(KerberosKey sessionKey, Instant authtime) {
        Instant t = authtime.truncatedTo(ChronoUnit.SECONDS);
        EncTicketPart part = new EncTicketPart(
                EncTicketPart.FLAG_FORWARDABLE | EncTicketPart.FLAG_PRE_AUTHENT | EncTicketPart.FLAG_INITIAL,
                new EncryptionKey(sessionKey.enctype().id(), sessionKey.bytes()), REALM, CNAME, 1, new byte[0],
                t, t, t.plus(TICKET_LIFETIME), null, List.of(), AuthorizationData.EMPTY);
        byte[] cipher = KerberosCrypto.encrypt(serviceKey, USAGE_TICKET, part.encode());
        return new Ticket(5, REALM, SNAME, new EncryptedData(serviceKey.enctype().id(), kvno, cipher));
    }

    /** The authenticator a client writes for one request at {@code clientTime} (microsecond precision). */
    public static Authenticator authenticator(KerberosKey sessionKey, Instant clientTime) {
        KerberosKey subkey = KerberosCrypto.randomKey(sessionKey.enctype());
        return new Authenticator(5, REALM, CNAME, new Checksum(Checksum.GSS_API, GSS_CHECKSUM.clone()),
                clientTime.getNano() / 1000, clientTime.truncatedTo(ChronoUnit.SECONDS),
                new EncryptionKey(subkey.enctype().id(), subkey.bytes()),
                ThreadLocalRandom.current().nextInt(1 << 30), null);
    }

    /** The DER AP-REQ presenting {@code ticket} with a fresh authenticator made at {@code clientTime}. */
    public static byte[] apReq(Ticket ticket, KerberosKey sessionKey, Instant clientTime) {
        byte[] authCipher = KerberosCrypto.encrypt(sessionKey, USAGE_AUTHENTICATOR,
                authenticator(sessionKey, clientTime).encode());
        return new ApReq(5, ApReq.MSG_TYPE, ApReq.MUTUAL_REQUIRED, ticket,
                new EncryptedData(sessionKey.enctype().id(), EncryptedData.NO_KVNO, authCipher)).encode();
    }

    /** {@code 60 len 06 <krb5 oid> 01 00 <AP-REQ>}: the raw krb5 initial token (RFC 2743 §3.1, RFC 4121 §4.1). */
    public static byte[] krb5Token(byte[] apReq) {
        return DerWriter.tlv(0x60, DerWriter.oid(KRB5_OID), KRB5_AP_REQ_TOK_ID, apReq);
    }

    /** SPNEGO NegTokenInit {mechTypes [krb5], mechToken krb5Token(apReq)} (RFC 4178 §4.2.1). */
    public static byte[] spnegoToken(byte[] apReq) {
        byte[] init = DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.sequence(DerWriter.oid(KRB5_OID))),
                DerWriter.explicit(2, DerWriter.octetString(krb5Token(apReq))));
        return DerWriter.tlv(0x60, DerWriter.oid(SPNEGO_OID), DerWriter.explicit(0, init));
    }

    /** The {@code Authorization} header value a browser sends: {@code Negotiate <base64 SPNEGO token>}. */
    public static String header(Ticket ticket, KerberosKey sessionKey, Instant clientTime) {
        return "Negotiate " + Base64.getEncoder().encodeToString(spnegoToken(apReq(ticket, sessionKey, clientTime)));
    }
}

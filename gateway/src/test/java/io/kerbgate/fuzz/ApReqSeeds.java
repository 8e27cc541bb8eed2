package io.kerbgate.fuzz;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerWriter;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.messages.ApReq;
import io.kerbgate.messages.Authenticator;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.EncryptionKey;
import io.kerbgate.messages.HostAddress;
import io.kerbgate.messages.PrincipalName;
import io.kerbgate.messages.Ticket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Valid tokens to start fuzzing from, minted in process for one service with keys of every enctype kerbgate knows
 * (17, 18, 19, 20 and 23, kvno 3), in both framings, with the authenticator and ticket shapes real clients produce:
 * GSS checksum with and without delegation, a raw keyed checksum under a subkey (Samba, some Java clients), no
 * checksum, authorization data, addresses, a checked transited path, renew-till, NegTokenInit2 with hints and a MIC,
 * Microsoft's krb5 OID first.
 */
final class ApReqSeeds {
    static final String REALM = "FUZZ.TEST";
    static final String SERVICE = "HTTP/fuzz.example.test@" + REALM;
    static final int KVNO = 3;
    static final byte[] KRB5 = DerWriter.oidContents("1.2.840.113554.1.2.2");
    static final byte[] MS_KRB5 = DerWriter.oidContents("1.2.840.48018.1.2.2");
    static final byte[] SPNEGO = DerWriter.oidContents("1.3.6.1.5.5.2");
    static final byte[] NTLM = DerWriter.oidContents("1.3.6.1.4.1.311.2.2.10");
    private static final int USAGE_TICKET = 2;
    private static final int USAGE_AUTHENTICATOR = 11;

    /**
     * One valid token and its parts. {@code ticketPlain} and {@code authPlain} are the DER that the plaintext fuzzing
     * mutates; {@link #token(byte[], byte[])} seals and frames mutated parts like the originals.
     */
    record Seed(String name, KerberosKey serviceKey, KerberosKey sessionKey, byte[] ticketPlain, byte[] authPlain,
            int apOptions, UnaryOperator<byte[]> framing, byte[] ticketCipher, byte[] apReq, byte[] token) {

        /** Seals both parts afresh (new confounders, so a new authenticator MAC and no replay) and frames them. */
        byte[] token(byte[] ticketPlain, byte[] authPlain) {
            return framing.apply(apReq(ticketPlain == null ? ticketCipher
                    : KerberosCrypto.encrypt(serviceKey, USAGE_TICKET, ticketPlain), authPlain));
        }

        byte[] apReq(byte[] ticketCipher, byte[] authPlain) {
            Ticket t = new Ticket(5, REALM, new PrincipalName(PrincipalName.NT_SRV_INST,
                    List.of("HTTP", "fuzz.example.test")), new EncryptedData(serviceKey.enctype().id(), KVNO, ticketCipher));
            byte[] authCipher = KerberosCrypto.encrypt(sessionKey, USAGE_AUTHENTICATOR, authPlain);
            return new ApReq(5, 14, apOptions, t, new EncryptedData(sessionKey.enctype().id(), EncryptedData.NO_KVNO,
                    authCipher)).encode();
        }
    }

    final List<KerberosKey> serviceKeys = new ArrayList<>();
    final List<Seed> seeds = new ArrayList<>();

    ApReqSeeds(Instant now, InetAddress peer) {
        for (Enctype e : Enctype.values()) {
            serviceKeys.add(KerberosCrypto.randomKey(e));
        }
        Instant t = now.truncatedTo(ChronoUnit.SECONDS);
        byte[] gssMutual = gssChecksum(2 | 4 | 8 | 16 | 32, 0);
        byte[] gssDeleg = gssChecksum(1 | 2 | 32, 40);

        add("aes256 spnego gss-mutual subkey", 18, 18, t, ApReq.MUTUAL_REQUIRED, spnego(KRB5, false),
                ticket -> ticket, a -> a.cksum(new Checksum(Checksum.GSS_API, gssMutual)).subkey(18).seq(7));
        add("aes128 raw-krb5 no-checksum", 17, 17, t, 0, ApReqSeeds::rawKrb5, ticket -> ticket, a -> a);
        add("aes128-sha2 ms-oid deleg authz caddr", 19, 19, t, 0, spnego(MS_KRB5, false),
                ticket -> ticket.authz(new AuthorizationData(List.of(new AuthorizationData.Entry(
                        AuthorizationData.AD_IF_RELEVANT, DerWriter.sequence(DerWriter.sequence(
                                DerWriter.explicit(0, DerWriter.integer(128)),
                                DerWriter.explicit(1, DerWriter.octetString(new byte[40])))))))).caddr(peer),
                a -> a.cksum(new Checksum(Checksum.GSS_API, gssDeleg)).authz());
        add("aes256-sha2 negTokenInit2 transited renew", 20, 20, t, ApReq.MUTUAL_REQUIRED, spnego(KRB5, true),
                ticket -> ticket.transited("OTHER.TEST").renew(t.plus(Duration.ofDays(7))),
                a -> a.cksum(new Checksum(Checksum.GSS_API, gssMutual)));
        add("rc4 spnego gss", 23, 23, t, ApReq.MUTUAL_REQUIRED, spnego(KRB5, false), ticket -> ticket,
                a -> a.cksum(new Checksum(Checksum.GSS_API, gssMutual)).subkey(23));
        add("aes256 ticket, aes128 session, raw keyed checksum under a subkey", 18, 17, t, 0, ApReqSeeds::rawKrb5,
                ticket -> ticket, a -> a.keyedChecksum(18));
    }

    List<KeytabEntry> keytab() {
        List<KeytabEntry> entries = new ArrayList<>();
        for (KerberosKey k : serviceKeys) {
            entries.add(new KeytabEntry(SERVICE, PrincipalName.NT_SRV_INST, 0, KVNO, k.enctype().id(), k.bytes()));
        }
        return entries;
    }

    private KerberosKey serviceKey(int enctype) {
        return serviceKeys.stream().filter(k -> k.enctype().id() == enctype).findFirst().orElseThrow();
    }

    private void add(String name, int ticketEtype, int sessionEtype, Instant t, int apOptions,
            UnaryOperator<byte[]> framing, UnaryOperator<TicketParts> ticket, UnaryOperator<AuthParts> auth) {
        KerberosKey serviceKey = serviceKey(ticketEtype);
        KerberosKey session = KerberosCrypto.randomKey(Enctype.fromId(sessionEtype));
        TicketParts tp = ticket.apply(new TicketParts(session, t));
        AuthParts ap = auth.apply(new AuthParts(session, t));
        byte[] ticketPlain = tp.encode();
        byte[] authPlain = ap.encode();
        byte[] ticketCipher = KerberosCrypto.encrypt(serviceKey, USAGE_TICKET, ticketPlain);
        Seed partial = new Seed(name, serviceKey, session, ticketPlain, authPlain, apOptions, framing, ticketCipher,
                null, null);
        byte[] apReq = partial.apReq(ticketCipher, authPlain);
        seeds.add(new Seed(name, serviceKey, session, ticketPlain, authPlain, apOptions, framing, ticketCipher, apReq,
                framing.apply(apReq)));
    }

    static byte[] rawKrb5(byte[] apReq) {
        return DerWriter.tlv(0x60, DerWriter.oid(KRB5), new byte[] {1, 0}, apReq);
    }

    /** SPNEGO NegTokenInit with {@code first} listed first; NegTokenInit2 adds reqFlags, negHints and a MIC. */
    static UnaryOperator<byte[]> spnego(byte[] first, boolean init2) {
        return apReq -> {
            List<byte[]> fields = new ArrayList<>();
            fields.add(DerWriter.explicit(0, DerWriter.sequence(DerWriter.oid(first), DerWriter.oid(KRB5),
                    DerWriter.oid(NTLM))));
            if (init2) {
                fields.add(DerWriter.explicit(1, DerWriter.bitFlags(0x76 << 24)));
            }
            fields.add(DerWriter.explicit(2, DerWriter.octetString(rawKrb5(apReq))));
            if (init2) {
                fields.add(DerWriter.explicit(3, DerWriter.sequence(DerWriter.explicit(0,
                        DerWriter.generalString("not_defined_in_RFC4178@please_ignore")))));
                fields.add(DerWriter.explicit(4, DerWriter.octetString(new byte[16])));
            }
            return DerWriter.tlv(0x60, DerWriter.oid(SPNEGO),
                    DerWriter.explicit(0, DerWriter.sequence(fields.toArray(byte[][]::new))));
        };
    }

    /** RFC 4121 §4.1.1: Lgth 16, zero bindings, flags, and {@code deleg} bytes of delegation when asked. */
    static byte[] gssChecksum(int flags, int deleg) {
        ByteBuffer b = ByteBuffer.allocate(24 + (deleg > 0 ? 4 + deleg : 0)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(16).put(new byte[16]).putInt(flags);
        if (deleg > 0) {
            b.putShort((short) 1).putShort((short) deleg).put(new byte[deleg]);
        }
        return b.array();
    }

    /** The ticket as a KDC writes it, with chainable changes. */
    private static final class TicketParts {
        final KerberosKey session;
        final Instant t;
        int flags = EncTicketPart.FLAG_PRE_AUTHENT | EncTicketPart.FLAG_INITIAL | EncTicketPart.FLAG_FORWARDABLE;
        byte[] transited = new byte[0];
        Instant renewTill;
        List<HostAddress> caddr = List.of();
        AuthorizationData authz = AuthorizationData.EMPTY;

        TicketParts(KerberosKey session, Instant t) {
            this.session = session;
            this.t = t;
        }

        TicketParts transited(String realm) {
            transited = realm.getBytes(StandardCharsets.US_ASCII);
            flags |= EncTicketPart.FLAG_TRANSITED_POLICY_CHECKED;
            return this;
        }

        TicketParts renew(Instant until) {
            renewTill = until;
            return this;
        }

        TicketParts caddr(InetAddress peer) {
            caddr = List.of(HostAddress.of(peer));
            return this;
        }

        TicketParts authz(AuthorizationData ad) {
            authz = ad;
            return this;
        }

        byte[] encode() {
            return new EncTicketPart(flags, new EncryptionKey(session.enctype().id(), session.bytes()), REALM,
                    new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of("alice")), 1, transited, t, t,
                    t.plus(Duration.ofHours(10)), renewTill, caddr, authz).encode();
        }
    }

    /** The authenticator as a client writes it, with chainable changes. */
    private static final class AuthParts {
        final KerberosKey session;
        final Instant t;
        Checksum cksum;
        EncryptionKey subkey;
        long seq = -1;
        AuthorizationData authz;

        AuthParts(KerberosKey session, Instant t) {
            this.session = session;
            this.t = t;
        }

        AuthParts cksum(Checksum c) {
            cksum = c;
            return this;
        }

        AuthParts subkey(int enctype) {
            KerberosKey k = KerberosCrypto.randomKey(Enctype.fromId(enctype));
            subkey = new EncryptionKey(enctype, k.bytes());
            return this;
        }

        AuthParts seq(long n) {
            seq = n;
            return this;
        }

        /** MIT's AD-IF-RELEVANT { AD-ETYPE-NEGOTIATION (129) }, as its initiator sends. */
        AuthParts authz() {
            authz = new AuthorizationData(List.of(new AuthorizationData.Entry(AuthorizationData.AD_IF_RELEVANT,
                    DerWriter.sequence(DerWriter.sequence(DerWriter.explicit(0, DerWriter.integer(129)),
                            DerWriter.explicit(1, DerWriter.octetString(DerWriter.sequence(
                                    DerWriter.integer(18), DerWriter.integer(17)))))))));
            return this;
        }

        /** A raw keyed checksum over empty data under a fresh subkey of {@code enctype} (key usage 10). */
        AuthParts keyedChecksum(int enctype) {
            KerberosKey k = KerberosCrypto.randomKey(Enctype.fromId(enctype));
            subkey = new EncryptionKey(enctype, k.bytes());
            int type = KerberosCrypto.checksumTypeFor(k.enctype());
            cksum = new Checksum(type, KerberosCrypto.checksum(k, 10, type, new byte[0]));
            return this;
        }

        byte[] encode() {
            return new Authenticator(5, REALM, new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of("alice")), cksum,
                    123_456, t, subkey, seq, authz).encode();
        }
    }
}

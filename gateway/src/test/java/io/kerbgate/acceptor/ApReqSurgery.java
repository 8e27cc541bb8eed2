package io.kerbgate.acceptor;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.IntegrityException;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Alters real tokens the way only a holder of the keys can: the ticket is opened with the service key from the
 * keytab (key usage 2), the authenticator with the session key found inside it (key usage 11), a field is changed,
 * and the part is sealed again with a fresh confounder. The token keeps its framing (SPNEGO fields around the
 * mechToken are kept as they were; a bare krb5 token keeps its OID), so only the altered field differs.
 */
final class ApReqSurgery {
    private static final int USAGE_TICKET = 2;
    private static final int USAGE_AUTHENTICATOR = 11;

    private final byte[] token;
    private final KerberosKey serviceKey;
    private ApReq req;

    ApReqSurgery(byte[] token, KerberosKey serviceKey) {
        this.token = token.clone();
        this.serviceKey = serviceKey;
        try {
            this.req = ApReq.decode(NegotiationTokens.parseInitial(token).apReq());
        } catch (Refusal | DerException e) {
            throw new AssertionError("not a well-formed initial token: " + e.getMessage(), e);
        }
    }

    ApReq apReq() {
        return req;
    }

    EncTicketPart ticketPart() {
        try {
            return EncTicketPart.decode(open(serviceKey, USAGE_TICKET, req.ticket().encPart().cipher()));
        } catch (DerException e) {
            throw new AssertionError(e);
        }
    }

    KerberosKey sessionKey() {
        EncryptionKey k = ticketPart().key();
        return new KerberosKey(Enctype.fromId(k.keytype()), k.keyvalue());
    }

    Authenticator authenticator() {
        try {
            return Authenticator.decode(open(sessionKey(), USAGE_AUTHENTICATOR, req.authenticator().cipher()));
        } catch (DerException e) {
            throw new AssertionError(e);
        }
    }

    /** Opens the ticket, lets {@code edit} change it, and seals it again under {@code sealWith}. */
    ApReqSurgery editTicket(KerberosKey sealWith, Consumer<TicketEdit> edit) {
        TicketEdit e = new TicketEdit(ticketPart());
        edit.accept(e);
        Ticket t = req.ticket();
        byte[] cipher = KerberosCrypto.encrypt(sealWith, USAGE_TICKET, e.build().encode());
        return ticket(new Ticket(t.tktVno(), t.realm(), t.sname(),
                new EncryptedData(sealWith.enctype().id(), t.encPart().kvno(), cipher)));
    }

    ApReqSurgery editTicket(Consumer<TicketEdit> edit) {
        return editTicket(serviceKey, edit);
    }

    /** Opens the authenticator, lets {@code edit} change it, and seals it again (a fresh confounder, so a new MAC). */
    ApReqSurgery editAuthenticator(Consumer<AuthenticatorEdit> edit) {
        KerberosKey session = sessionKey();
        AuthenticatorEdit e = new AuthenticatorEdit(authenticator());
        edit.accept(e);
        byte[] cipher = KerberosCrypto.encrypt(session, USAGE_AUTHENTICATOR, e.build().encode());
        EncryptedData old = req.authenticator();
        req = new ApReq(req.pvno(), req.msgType(), req.apOptions(), req.ticket(),
                new EncryptedData(old.etype(), old.kvno(), cipher));
        return this;
    }

    /** The ticket's cleartext kvno replaced ({@link EncryptedData#NO_KVNO} removes it); nothing is re-sealed. */
    ApReqSurgery ticketKvno(long kvno) {
        Ticket t = req.ticket();
        EncryptedData enc = t.encPart();
        return ticket(new Ticket(t.tktVno(), t.realm(), t.sname(), new EncryptedData(enc.etype(), kvno, enc.cipher())));
    }

    /** The ticket's cleartext sname replaced (outside the encrypted part, as an attacker can); nothing is re-sealed. */
    ApReqSurgery ticketSname(PrincipalName sname) {
        Ticket t = req.ticket();
        return ticket(new Ticket(t.tktVno(), t.realm(), sname, t.encPart()));
    }

    ApReqSurgery flipTicketCipherBit(int bit) {
        Ticket t = req.ticket();
        EncryptedData enc = t.encPart();
        return ticket(new Ticket(t.tktVno(), t.realm(), t.sname(),
                new EncryptedData(enc.etype(), enc.kvno(), flip(enc.cipher(), bit))));
    }

    ApReqSurgery flipAuthenticatorCipherBit(int bit) {
        EncryptedData enc = req.authenticator();
        req = new ApReq(req.pvno(), req.msgType(), req.apOptions(), req.ticket(),
                new EncryptedData(enc.etype(), enc.kvno(), flip(enc.cipher(), bit)));
        return this;
    }

    /** The token in its original framing around the (possibly altered) AP-REQ. */
    byte[] token() {
        try {
            return reframe(token, req.encode());
        } catch (DerException e) {
            throw new AssertionError(e);
        }
    }

    private ApReqSurgery ticket(Ticket t) {
        req = new ApReq(req.pvno(), req.msgType(), req.apOptions(), t, req.authenticator());
        return this;
    }

    private static byte[] reframe(byte[] token, byte[] apReq) throws DerException {
        DerReader framed = DerReader.of(token).readConstructed(0x60);
        byte[] mech = framed.readOid();
        if (!Arrays.equals(mech, TokenMinter.SPNEGO_OID)) {
            return TokenMinter.krb5Token(mech, new byte[] {1, 0}, apReq);
        }
        DerReader init = framed.readExplicit(0).readConstructed(DerReader.SEQUENCE);
        List<byte[]> fields = new ArrayList<>();
        while (init.hasRemaining()) {
            if (init.nextIs(0xA2)) {
                byte[] inner = init.readExplicit(2).readOctetString();
                fields.add(DerWriter.explicit(2, DerWriter.octetString(reframe(inner, apReq))));
            } else {
                fields.add(init.readElement());
            }
        }
        return DerWriter.tlv(0x60, DerWriter.oid(mech),
                DerWriter.explicit(0, DerWriter.sequence(fields.toArray(byte[][]::new))));
    }

    private static byte[] open(KerberosKey key, int usage, byte[] cipher) {
        try {
            return KerberosCrypto.decrypt(key, usage, cipher);
        } catch (IntegrityException e) {
            throw new AssertionError("the real key does not open the real token", e);
        }
    }

    private static byte[] flip(byte[] b, int bit) {
        byte[] out = b.clone();
        int i = Math.floorMod(bit, out.length * 8);
        out[i / 8] ^= (byte) (1 << (i % 8));
        return out;
    }

    /** The fields of an EncTicketPart, to change before it is sealed again. */
    static final class TicketEdit {
        int flags;
        EncryptionKey key;
        String crealm;
        PrincipalName cname;
        int transitedType;
        byte[] transitedContents;
        Instant authtime;
        Instant starttime;
        Instant endtime;
        Instant renewTill;
        List<HostAddress> caddr;
        AuthorizationData authorizationData;

        TicketEdit(EncTicketPart p) {
            flags = p.flags();
            key = p.key();
            crealm = p.crealm();
            cname = p.cname();
            transitedType = p.transitedType();
            transitedContents = p.transitedContents();
            authtime = p.authtime();
            starttime = p.starttime();
            endtime = p.endtime();
            renewTill = p.renewTill();
            caddr = p.caddr();
            authorizationData = p.authorizationData();
        }

        EncTicketPart build() {
            return new EncTicketPart(flags, key, crealm, cname, transitedType, transitedContents, authtime, starttime,
                    endtime, renewTill, caddr, authorizationData);
        }
    }

    /** The fields of an Authenticator, to change before it is sealed again. */
    static final class AuthenticatorEdit {
        int vno;
        String crealm;
        PrincipalName cname;
        Checksum cksum;
        int cusec;
        Instant ctime;
        EncryptionKey subkey;
        long seqNumber;
        AuthorizationData authorizationData;

        AuthenticatorEdit(Authenticator a) {
            vno = a.vno();
            crealm = a.crealm();
            cname = a.cname();
            cksum = a.cksum();
            cusec = a.cusec();
            ctime = a.ctime();
            subkey = a.subkey();
            seqNumber = a.seqNumber();
            authorizationData = a.authorizationData();
        }

        Authenticator build() {
            return new Authenticator(vno, crealm, cname, cksum, cusec, ctime, subkey, seqNumber, authorizationData);
        }
    }
}

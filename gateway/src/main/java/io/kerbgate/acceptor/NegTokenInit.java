package io.kerbgate.acceptor;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;

/**
 * The parts of an initiator's first SPNEGO token that decide this acceptor's answer. RFC 4178 §4.2.1:
 *
 * <pre>
 * NegTokenInit ::= SEQUENCE {
 *     mechTypes    [0] MechTypeList,              -- SEQUENCE OF OBJECT IDENTIFIER
 *     reqFlags     [1] ContextFlags  OPTIONAL,    -- BIT STRING
 *     mechToken    [2] OCTET STRING  OPTIONAL,
 *     mechListMIC  [3] OCTET STRING  OPTIONAL,
 *     ... }
 * </pre>
 *
 * and Microsoft's variant (MS-SPNG §2.2.1), where {@code [3]} holds hints and the MIC moves to {@code [4]}:
 *
 * <pre>
 * NegTokenInit2 ::= SEQUENCE {
 *     mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL, mechToken [2] OCTET STRING OPTIONAL,
 *     negHints     [3] NegHints      OPTIONAL,    -- SEQUENCE { hintName [0] GeneralString OPTIONAL,
 *                                                 --            hintAddress [1] OCTET STRING OPTIONAL }
 *     mechListMIC  [4] OCTET STRING  OPTIONAL,
 *     ... }
 * </pre>
 *
 * Every field is read and checked for well-formed DER; reqFlags, hints and the MIC are then dropped (checklist
 * item 7). Fields must come in tag order, as DER requires, and unknown extension fields are refused: no client
 * sends any, and an acceptor that skips what it does not understand is easier to confuse.
 *
 * @param firstMech the raw OID the initiator prefers (RFC 4178 §3: the optimistic token is for this one)
 * @param krb5Listed whether either Kerberos OID appears anywhere in mechTypes, for the refusal's detail
 * @param mechToken the optimistic token for {@code firstMech}, or {@code null}
 */
record NegTokenInit(byte[] firstMech, boolean krb5Listed, byte[] mechToken) {
    private static final int MECH_TYPES = 0;
    private static final int REQ_FLAGS = 1;
    private static final int MECH_TOKEN = 2;
    private static final int MIC_OR_HINTS = 3;
    private static final int MIC_AFTER_HINTS = 4;

    /** Parses the {@code [0]}-tagged choice of a NegotiationToken (RFC 4178 §4.2), the tag itself included. */
    static NegTokenInit parse(DerReader negotiationToken) throws DerException {
        DerReader choice = negotiationToken.readExplicit(0);
        negotiationToken.expectEnd();
        DerReader seq = choice.readConstructed(DerReader.SEQUENCE);
        choice.expectEnd();

        DerReader field = seq.readExplicit(MECH_TYPES);
        DerReader mechTypes = field.readConstructed(DerReader.SEQUENCE);
        field.expectEnd();
        if (!mechTypes.hasRemaining()) {
            throw new DerException("empty mechTypes", mechTypes.offset());
        }
        byte[] first = mechTypes.readOid();
        boolean krb5Listed = Oids.isKrb5(first);
        while (mechTypes.hasRemaining()) {
            krb5Listed |= Oids.isKrb5(mechTypes.readOid());
        }

        if (seq.nextIs(0xA0 | REQ_FLAGS)) {
            field = seq.readExplicit(REQ_FLAGS);
            field.readBitFlags();
            field.expectEnd();
        }

        byte[] mechToken = null;
        if (seq.nextIs(0xA0 | MECH_TOKEN)) {
            field = seq.readExplicit(MECH_TOKEN);
            mechToken = field.readOctetString();
            field.expectEnd();
        }

        boolean micSeen = false;
        if (seq.nextIs(0xA0 | MIC_OR_HINTS)) {
            field = seq.readExplicit(MIC_OR_HINTS);
            if (field.nextIs(DerReader.OCTET_STRING)) {
                field.readOctetString();
                micSeen = true;
            } else {
                readNegHints(field);
            }
            field.expectEnd();
        }
        if (!micSeen && seq.nextIs(0xA0 | MIC_AFTER_HINTS)) {
            field = seq.readExplicit(MIC_AFTER_HINTS);
            field.readOctetString();
            field.expectEnd();
        }
        // Anything left is out of order, repeated, or an extension field.
        seq.expectEnd();
        return new NegTokenInit(first, krb5Listed, mechToken);
    }

    private static void readNegHints(DerReader field) throws DerException {
        DerReader hints = field.readConstructed(DerReader.SEQUENCE);
        if (hints.nextIs(0xA0)) {
            DerReader name = hints.readExplicit(0);
            name.readGeneralString();
            name.expectEnd();
        }
        if (hints.nextIs(0xA1)) {
            DerReader address = hints.readExplicit(1);
            address.readOctetString();
            address.expectEnd();
        }
        hints.expectEnd();
    }
}

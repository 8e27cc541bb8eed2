package io.kerbgate.pac;

import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.PrincipalName;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Finds the PAC of a decrypted ticket (AD-IF-RELEVANT → AD-WIN2K-PAC) and checks it before anything in it is used:
 *
 * <ol>
 *   <li>at most one PAC in the whole authorization-data;
 *   <li>the PACTYPE and its buffers are within bounds ({@link Pac#parse});
 *   <li>the server signature (PAC_SERVER_CHECKSUM) is a keyed checksum of the service key's own type, verified with
 *       key usage 17 (KERB_NON_KERB_CKSUM_SALT, MS-PAC §2.8.1) over the whole PAC with the server and KDC signature
 *       fields zeroed; an unkeyed type (crc32, md5: the MS14-068 forgery) is refused before anything is computed;
 *   <li>PAC_CLIENT_INFO names the ticket's client (case-insensitively, as AD compares names) at the ticket's authtime;
 *   <li>the KERB_VALIDATION_INFO decodes, bounds-checked, to the user's and groups' SIDs. A PAC without one (MIT
 *       krb5 1.20 and later issue PACs of client info and signatures only) passes with no groups.
 * </ol>
 *
 * The KDC signature cannot be verified without the krbtgt key: see the package documentation for what that means.
 */
public final class PacVerifier {

    /** KERB_NON_KERB_CKSUM_SALT: the key usage of the PAC signatures (MS-PAC §2.8.1). */
    public static final int USAGE_PAC_SIGNATURE = 17;
    private static final int MAX_DEPTH = 4;
    // 100-ns intervals between 1601-01-01 (FILETIME) and 1970-01-01.
    private static final long FILETIME_EPOCH = 116_444_736_000_000_000L;

    private PacVerifier() {}

    /**
     * What a verified PAC says.
     *
     * @param userSid     the user's SID from the logon info, or {@code null} for a PAC without one (MIT krb5 1.20 and
     *                    later sign a PAC of client info and signatures only: no SIDs, so no groups)
     * @param accountName the logon info's EffectiveName, the account's name as the directory spells it, or null
     */
    public record PacInfo(String clientName, @Nullable Sid userSid, List<Sid> groupSids, @Nullable String accountName) {
        public PacInfo {
            groupSids = List.copyOf(groupSids);
        }

        /** The group SIDs as strings, user SID excluded, duplicates removed, in the PAC's order. */
        public List<String> groups() {
            return groupSids.stream().map(Sid::toString).distinct().toList();
        }
    }

    /**
     * @return the checked PAC, or empty when the ticket carries none
     * @throws PacException when a PAC is there and any check fails
     */
    public static Optional<PacInfo> verify(AuthorizationData ad, KerberosKey serviceKey, PrincipalName cname,
            Instant authtime) throws PacException {
        return verify(ad, serviceKey, cname, "", authtime);
    }

    /**
     * @param crealm the ticket's client realm, for a PAC client info that names it (MIT, cross-realm clients)
     * @return the checked PAC, or empty when the ticket carries none
     * @throws PacException when a PAC is there and any check fails
     */
    public static Optional<PacInfo> verify(AuthorizationData ad, KerberosKey serviceKey, PrincipalName cname,
            String crealm, Instant authtime) throws PacException {
        List<byte[]> pacs = new ArrayList<>(1);
        collect(ad, pacs, 0, false);
        if (pacs.isEmpty()) {
            return Optional.empty();
        }
        if (pacs.size() > 1) {
            throw new PacException("ticket carries " + pacs.size() + " PACs; one is allowed");
        }
        Pac pac = Pac.parse(pacs.get(0));
        verifyServerSignature(pac, serviceKey);
        String clientName = clientInfo(pac, authtime);
        // AD writes the components joined by '/'; MIT writes krb5_unparse_name's escaped form, with the realm for a
        // client of another realm. Any of the three names this client and no other.
        String joined = String.join("/", cname.components());
        String display = cname.withRealm(crealm);
        String displayName = display.substring(0, PrincipalName.realmSeparator(display));
        String name = clientName.toLowerCase(Locale.ROOT);
        if (!name.equals(joined.toLowerCase(Locale.ROOT)) && !name.equals(displayName.toLowerCase(Locale.ROOT))
                && !name.equals(display.toLowerCase(Locale.ROOT))) {
            throw new PacException("PAC client info names '" + clientName + "' but the ticket is for '" + joined + "'");
        }
        Optional<Pac.Buffer> logon = pac.buffer(Pac.LOGON_INFO);
        if (logon.isEmpty()) {
            // MIT krb5 >= 1.20: client info, server and KDC signatures (and the full-PAC and ticket signatures, which
            // need the krbtgt key), no logon info. Verified as far as a service can: a PAC with no groups.
            return Optional.of(new PacInfo(clientName, null, List.of(), null));
        }
        ValidationInfo info = ValidationInfo.decode(pac.contents(logon.get()));
        return Optional.of(new PacInfo(clientName, info.userSid(), info.groupSids(), info.effectiveName()));
    }

    private static void collect(AuthorizationData ad, List<byte[]> pacs, int depth, boolean inIfRelevant)
            throws PacException {
        for (AuthorizationData.Entry e : ad.entries()) {
            if (e.adType() == AuthorizationData.AD_WIN2K_PAC) {
                if (!inIfRelevant) {
                    throw new PacException("AD-WIN2K-PAC outside AD-IF-RELEVANT");
                }
                pacs.add(e.adData());
            } else if (e.adType() == AuthorizationData.AD_IF_RELEVANT) {
                if (depth >= MAX_DEPTH) {
                    throw new PacException("AD-IF-RELEVANT nested deeper than " + MAX_DEPTH);
                }
                AuthorizationData inner;
                try {
                    DerReader r = DerReader.of(e.adData());
                    inner = AuthorizationData.decode(r);
                    r.expectEnd();
                } catch (DerException x) {
                    throw new PacException("AD-IF-RELEVANT is not valid DER: " + x.getMessage());
                }
                collect(inner, pacs, depth + 1, true);
            }
        }
    }

    static void verifyServerSignature(Pac pac, KerberosKey key) throws PacException {
        Pac.Buffer server = pac.buffer(Pac.SERVER_CHECKSUM)
                .orElseThrow(() -> new PacException("PAC has no server signature"));
        Pac.Buffer kdc = pac.buffer(Pac.PRIVSVR_CHECKSUM)
                .orElseThrow(() -> new PacException("PAC has no KDC signature"));
        int serverType = signatureType(pac, server);
        if (!KerberosCrypto.isKeyedChecksum(serverType)) {
            throw new PacException("PAC server signature has unkeyed checksum type " + serverType + " (MS14-068)");
        }
        int expectedType = KerberosCrypto.checksumTypeFor(key.enctype());
        if (serverType != expectedType) {
            throw new PacException("PAC server signature type " + serverType + " does not go with the service key's "
                    + key.enctype().kerberosName() + " (" + expectedType + ")");
        }
        int serverLength = signatureLength(serverType, server);
        int kdcLength = signatureLength(signatureType(pac, kdc), kdc);
        byte[] zeroed = pac.bytes();
        byte[] signature = Arrays.copyOfRange(zeroed, server.offset() + 4, server.offset() + 4 + serverLength);
        Arrays.fill(zeroed, server.offset() + 4, server.offset() + 4 + serverLength, (byte) 0);
        Arrays.fill(zeroed, kdc.offset() + 4, kdc.offset() + 4 + kdcLength, (byte) 0);
        if (!KerberosCrypto.verifyChecksum(key, USAGE_PAC_SIGNATURE, serverType, zeroed, signature)) {
            throw new PacException("PAC server signature does not verify with the service key: the PAC was altered");
        }
    }

    private static int signatureType(Pac pac, Pac.Buffer b) throws PacException {
        if (b.size() < 4) {
            throw new PacException("PAC signature buffer type " + b.type() + " of " + b.size() + " bytes");
        }
        return (int) Pac.u32(pac.bytes(), b.offset());
    }

    /** The signature's length for its checksum type; the buffer must hold it (plus an optional RODC identifier). */
    private static int signatureLength(int type, Pac.Buffer b) throws PacException {
        int length = switch (type) {
            case 15, 16 -> 12; // hmac-sha1-96-aes128/256
            case -138, 19 -> 16; // hmac-md5 (RC4), hmac-sha256-128-aes128
            case 20 -> 24; // hmac-sha384-192-aes256
            default -> throw new PacException("PAC signature (buffer type " + b.type() + ") of unknown or unkeyed "
                    + "checksum type " + type);
        };
        if (b.size() != 4 + length && b.size() != 4 + length + 2) {
            throw new PacException("PAC signature buffer type " + b.type() + " of " + b.size() + " bytes for checksum "
                    + "type " + type);
        }
        return length;
    }

    /** PAC_CLIENT_INFO: ClientId (FILETIME, the ticket's authtime), NameLength, Name (UTF-16LE). */
    private static String clientInfo(Pac pac, Instant authtime) throws PacException {
        Pac.Buffer b = pac.buffer(Pac.CLIENT_INFO).orElseThrow(() -> new PacException("PAC has no client info"));
        byte[] c = pac.contents(b);
        if (c.length < 10) {
            throw new PacException("PAC client info of " + c.length + " bytes");
        }
        long filetime = Pac.u32(c, 0) | Pac.u32(c, 4) << 32;
        int nameLength = (c[8] & 0xff) | (c[9] & 0xff) << 8;
        if (nameLength % 2 != 0 || 10 + nameLength > c.length) {
            throw new PacException("PAC client info name of " + nameLength + " bytes in a buffer of " + c.length);
        }
        long seconds = Math.floorDiv(filetime - FILETIME_EPOCH, 10_000_000L);
        if (filetime < 0 || seconds != authtime.getEpochSecond()) {
            throw new PacException("PAC client info time differs from the ticket's authtime " + authtime);
        }
        return new String(c, 10, nameLength, StandardCharsets.UTF_16LE);
    }
}

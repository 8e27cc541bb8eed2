package io.kerbgate.diagnostics;

import java.util.ArrayList;
import java.util.List;

/** Names of the numbers and flag bits that a token carries, for people reading a report. */
final class KerberosNames {

    /** RFC 4120 §5.3 TicketFlags, bit 0 first. */
    private static final String[] TICKET_FLAGS = {"reserved", "forwardable", "forwarded", "proxiable", "proxy",
        "may-postdate", "postdated", "invalid", "renewable", "initial", "pre-authent", "hw-authent",
        "transited-policy-checked", "ok-as-delegate", "anonymous", "enc-pa-rep"};
    /** RFC 4120 §5.5.1 APOptions, bit 0 first. */
    private static final String[] AP_OPTIONS = {"reserved", "use-session-key", "mutual-required"};

    private KerberosNames() {}

    static List<String> ticketFlags(int flags) {
        return bits(flags, TICKET_FLAGS);
    }

    static List<String> apOptions(int options) {
        return bits(options, AP_OPTIONS);
    }

    /** RFC 4121 §4.1.1.1 context flags of the 0x8003 checksum (the GSS_C_*_FLAG values of RFC 2744). */
    static List<String> gssFlags(int flags) {
        List<String> names = new ArrayList<>();
        String[] low = {"deleg", "mutual", "replay", "sequence", "conf", "integ", "anon"};
        for (int i = 0; i < 32; i++) {
            int bit = 1 << i;
            if ((flags & bit) == 0) {
                continue;
            }
            names.add(i < low.length ? low[i] : switch (bit) {
                case 0x1000 -> "dce-style";
                case 0x2000 -> "identify";
                case 0x4000 -> "extended-error";
                default -> String.format("0x%x", bit);
            });
        }
        return names;
    }

    /** Authorization-data types (RFC 4120 §7.5.4, RFC 6113, RFC 7751, MS-PAC, MS-KILE, MIT). */
    static String adType(int type) {
        return switch (type) {
            case 1 -> "AD-IF-RELEVANT";
            case 4 -> "AD-KDC-ISSUED";
            case 5 -> "AD-AND-OR";
            case 8 -> "AD-MANDATORY-FOR-KDC";
            case 9 -> "AD-INITIAL-VERIFIED-CAS";
            case 71 -> "AD-FX-FAST-ARMOR";
            case 72 -> "AD-FX-FAST-USED";
            case 96 -> "AD-CAMMAC";
            case 97 -> "AD-AUTH-INDICATOR";
            case 128 -> "AD-WIN2K-PAC";
            case 129 -> "AD-ETYPE-NEGOTIATION";
            case 141 -> "KERB-AUTH-DATA-TOKEN-RESTRICTIONS";
            case 142 -> "KERB-LOCAL";
            case 143 -> "AD-AUTH-DATA-AP-OPTIONS";
            case 512 -> "AD-SIGNTICKET";
            default -> "ad-type " + type;
        };
    }

    /** Checksum types an authenticator carries (RFC 3961 §8, RFC 8009, RFC 4757, RFC 4121). */
    static String checksumType(int type) {
        return switch (type) {
            case 0x8003 -> "GSS (0x8003)";
            case 15 -> "hmac-sha1-96-aes128";
            case 16 -> "hmac-sha1-96-aes256";
            case 19 -> "hmac-sha256-128-aes128";
            case 20 -> "hmac-sha384-192-aes256";
            case -138 -> "hmac-md5-rc4";
            default -> "cksumtype " + type;
        };
    }

    /** Host address types (RFC 4120 §7.5.3). */
    static String addressType(int type) {
        return switch (type) {
            case 2 -> "IPv4";
            case 24 -> "IPv6";
            case 20 -> "NetBIOS";
            default -> "addr-type " + type;
        };
    }

    private static List<String> bits(int flags, String[] names) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << (31 - bit))) != 0) {
                out.add(bit < names.length ? names[bit] : "bit " + bit);
            }
        }
        return out;
    }
}

package io.kerbgate.der;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Builds DER encodings from the inside out: each method returns a complete TLV, and constructed values take their
 * already-encoded children. Used for the few messages the gateway writes (AP-REP, SPNEGO responses) and by tests that
 * mint tokens. Each value is one exact-size array: an AP-REP is written on every accepted request, and a stream per
 * value was a measured share of the acceptor's allocation.
 */
public final class DerWriter {
    private static final DateTimeFormatter KERBEROS_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

    private DerWriter() {}

    public static byte[] tlv(int tag, byte[]... contents) {
        int len = 0;
        for (byte[] c : contents) {
            len += c.length;
        }
        int lengthOctets = lengthOctets(len);
        byte[] out = new byte[1 + lengthOctets + len];
        out[0] = (byte) tag;
        writeLength(out, lengthOctets, len);
        int position = 1 + lengthOctets;
        for (byte[] c : contents) {
            System.arraycopy(c, 0, out, position, c.length);
            position += c.length;
        }
        return out;
    }

    public static byte[] sequence(byte[]... elements) {
        return tlv(DerReader.SEQUENCE, elements);
    }

    /** A context-specific explicit tag {@code [n]} around one element. */
    public static byte[] explicit(int n, byte[] element) {
        return tlv(0xA0 | n, element);
    }

    /** An APPLICATION tag {@code [APPLICATION n]} around one element (constructed). */
    public static byte[] application(int n, byte[] element) {
        return tlv(0x60 | n, element);
    }

    public static byte[] integer(long value) {
        int len = 8;
        // Drop leading octets that only repeat the sign, keeping DER's minimal form.
        while (len > 1) {
            int top = (int) (value >> ((len - 1) * 8)) & 0xFF;
            int nextBit = (int) (value >> ((len - 1) * 8 - 1)) & 1;
            if ((top == 0 && nextBit == 0) || (top == 0xFF && nextBit == 1)) {
                len--;
            } else {
                break;
            }
        }
        byte[] c = new byte[len];
        for (int i = 0; i < len; i++) {
            c[i] = (byte) (value >> ((len - 1 - i) * 8));
        }
        return tlv(DerReader.INTEGER, c);
    }

    /** An ENUMERATED of one octet, the only size {@link DerReader#readEnumerated()} reads (SPNEGO's negState). */
    public static byte[] enumerated(int value) {
        if (value < Byte.MIN_VALUE || value > Byte.MAX_VALUE) {
            // A single two's-complement octet holds -128..127; 128 would silently encode as -128.
            throw new IllegalArgumentException("ENUMERATED value out of one-octet range: " + value);
        }
        return tlv(DerReader.ENUMERATED, new byte[] {(byte) value});
    }

    public static byte[] octetString(byte[] value) {
        return tlv(DerReader.OCTET_STRING, value);
    }

    public static byte[] generalString(String value) {
        return tlv(DerReader.GENERAL_STRING, value.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] kerberosTime(Instant time) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            return tlv(DerReader.GENERALIZED_TIME, KERBEROS_TIME.format(time).getBytes(StandardCharsets.US_ASCII));
        }
        // YYYYMMDDhhmmssZ by hand: the AP-REP carries one, and a formatter per request was a measured cost.
        byte[] c = new byte[15];
        digits(c, 0, t.getYear(), 4);
        digits(c, 4, t.getMonthValue(), 2);
        digits(c, 6, t.getDayOfMonth(), 2);
        digits(c, 8, t.getHour(), 2);
        digits(c, 10, t.getMinute(), 2);
        digits(c, 12, t.getSecond(), 2);
        c[14] = 'Z';
        return tlv(DerReader.GENERALIZED_TIME, c);
    }

    private static void digits(byte[] out, int at, int value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            out[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** A 32-bit BIT STRING (Kerberos flags), bit 0 being the most significant bit. */
    public static byte[] bitFlags(int flags) {
        return tlv(DerReader.BIT_STRING, new byte[] {0, (byte) (flags >>> 24), (byte) (flags >>> 16),
                (byte) (flags >>> 8), (byte) flags});
    }

    /** An OBJECT IDENTIFIER from its raw contents (as {@link DerReader#readOid()} returns them). */
    public static byte[] oid(byte[] contents) {
        return tlv(DerReader.OID, contents);
    }

    /** The contents octets of an OID written in dotted form, e.g. {@code "1.2.840.113554.1.2.2"}. */
    public static byte[] oidContents(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBase128(out, Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            writeBase128(out, Long.parseLong(arcs[i]));
        }
        return out.toByteArray();
    }

    private static void writeBase128(ByteArrayOutputStream out, long v) {
        int groups = 1;
        while ((v >>> (7 * groups)) != 0) {
            groups++;
        }
        for (int g = groups - 1; g >= 0; g--) {
            int b = (int) (v >>> (7 * g)) & 0x7F;
            out.write(g == 0 ? b : b | 0x80);
        }
    }

    /** Octets of the DER length of {@code len}: one for short form, else 0x8n and n octets, big-endian. */
    private static int lengthOctets(int len) {
        return len < 0x80 ? 1 : len <= 0xFF ? 2 : len <= 0xFFFF ? 3 : len <= 0xFF_FFFF ? 4 : 5;
    }

    private static void writeLength(byte[] out, int lengthOctets, int len) {
        if (lengthOctets == 1) {
            out[1] = (byte) len;
            return;
        }
        out[1] = (byte) (0x80 | (lengthOctets - 1));
        for (int i = lengthOctets - 1; i >= 1; i--) {
            out[1 + i] = (byte) len;
            len >>>= 8;
        }
    }
}

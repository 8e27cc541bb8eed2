package io.kerbgate.der;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A strict DER reader over a slice of a byte array, one TLV at a time, without copying until a value is asked for.
 *
 * <p>Strict means what RFC 4120 §5.1 and the acceptor checklist (item 4) ask of tokens: single-octet tags only,
 * definite lengths only, lengths in minimal form and at most 4 octets, no length past the end of its parent, and
 * no trailing bytes where the caller says the structure ends ({@link #expectEnd()}). Kerby's ASN.1 layer accepts
 * BER and maps unknown enctypes and checksum types to {@code NONE}, which is why the acceptor reads its messages
 * through this class instead.
 *
 * <p>Nesting is bounded by {@link #MAX_DEPTH}: parsers descend one {@link #readConstructed(int)} per level and
 * never recurse on input-controlled structure, so deep input costs neither stack nor time.
 */
public final class DerReader {
    public static final int MAX_DEPTH = 64;

    public static final int SEQUENCE = 0x30;
    public static final int INTEGER = 0x02;
    public static final int BIT_STRING = 0x03;
    public static final int OCTET_STRING = 0x04;
    public static final int ENUMERATED = 0x0A;
    public static final int OID = 0x06;
    public static final int GENERAL_STRING = 0x1B;
    public static final int GENERALIZED_TIME = 0x18;

    private final byte[] buf;
    private final int end;
    private final int depth;
    private int pos;

    private DerReader(byte[] buf, int start, int end, int depth) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
        this.depth = depth;
    }

    public static DerReader of(byte[] bytes) {
        return new DerReader(bytes, 0, bytes.length, 0);
    }

    public static DerReader of(byte[] bytes, int start, int end) {
        if (start < 0 || end > bytes.length || start > end) {
            throw new IndexOutOfBoundsException("slice " + start + ".." + end + " of " + bytes.length);
        }
        return new DerReader(bytes, start, end, 0);
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    public int offset() {
        return pos;
    }

    /** The identifier octet of the next element, or -1 at the end. */
    public int peekTag() throws DerException {
        if (pos >= end) {
            return -1;
        }
        int tag = buf[pos] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            throw new DerException("high-tag-number form is not used by Kerberos or SPNEGO", pos);
        }
        return tag;
    }

    public boolean nextIs(int tag) throws DerException {
        return peekTag() == tag;
    }

    /** Enters the constructed element with the given tag; returns a reader over exactly its contents. */
    public DerReader readConstructed(int tag) throws DerException {
        if ((tag & 0x20) == 0) {
            throw new IllegalArgumentException("tag 0x" + Integer.toHexString(tag) + " is not constructed");
        }
        if (depth + 1 > MAX_DEPTH) {
            throw new DerException("nesting deeper than " + MAX_DEPTH, pos);
        }
        int contentStart = header(tag);
        int contentEnd = pos;
        return new DerReader(buf, contentStart, contentEnd, depth + 1);
    }

    /** Reads a context-specific explicit tag {@code [n]} and returns a reader over its single inner element. */
    public DerReader readExplicit(int n) throws DerException {
        return readConstructed(0xA0 | n);
    }

    /** The contents of a primitive element with the given tag, copied. */
    public byte[] readPrimitive(int tag) throws DerException {
        int start = header(tag);
        byte[] out = new byte[pos - start];
        System.arraycopy(buf, start, out, 0, out.length);
        return out;
    }

    /** The whole next element (identifier, length and contents), copied; e.g. to keep an encoding for a MAC. */
    public byte[] readElement() throws DerException {
        int start = pos;
        header(peekTagOrFail());
        byte[] out = new byte[pos - start];
        System.arraycopy(buf, start, out, 0, out.length);
        return out;
    }

    /** Skips the next element whatever it is, without looking inside. */
    public void skipElement() throws DerException {
        header(peekTagOrFail());
    }

    public long readLong() throws DerException {
        int at = pos;
        int start = header(INTEGER);
        int len = pos - start;
        if (len == 0 || len > 8) {
            throw new DerException("INTEGER of " + len + " octets", at);
        }
        if (len > 1 && ((buf[start] == 0 && (buf[start + 1] & 0x80) == 0)
                || (buf[start] == (byte) 0xFF && (buf[start + 1] & 0x80) != 0))) {
            throw new DerException("INTEGER not in minimal form", at);
        }
        long v = buf[start]; // sign-extends
        for (int i = start + 1; i < pos; i++) {
            v = (v << 8) | (buf[i] & 0xFF);
        }
        return v;
    }

    /** An INTEGER in the range of a Kerberos {@code Int32}. */
    public int readInt() throws DerException {
        int at = pos;
        long v = readLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new DerException("INTEGER out of Int32 range", at);
        }
        return (int) v;
    }

    /** An INTEGER in the range of a Kerberos {@code UInt32} (kvno, sequence numbers, nonces). */
    public long readUInt32() throws DerException {
        int at = pos;
        long v = readLong();
        // Some encoders write UInt32 values above 2^31 as negative Int32; accept both forms, as MIT does.
        if (v < Integer.MIN_VALUE || v > 0xFFFF_FFFFL) {
            throw new DerException("INTEGER out of UInt32 range", at);
        }
        return v & 0xFFFF_FFFFL;
    }

    /** A one-octet ENUMERATED (-128..127); longer ones are refused, as no message read here needs them. */
    public int readEnumerated() throws DerException {
        int at = pos;
        int start = header(ENUMERATED);
        if (pos - start != 1) {
            throw new DerException("ENUMERATED of " + (pos - start) + " octets", at);
        }
        // ENUMERATED is encoded as an INTEGER (X.690 §8.4): two's complement, so 0xFF is -1, not 255.
        return buf[start];
    }

    public byte[] readOctetString() throws DerException {
        return readPrimitive(OCTET_STRING);
    }

    /** The raw contents of an OBJECT IDENTIFIER, for comparison with known OIDs without decoding them. */
    public byte[] readOid() throws DerException {
        int at = pos;
        byte[] oid = readPrimitive(OID);
        if (oid.length == 0 || (oid[oid.length - 1] & 0x80) != 0) {
            throw new DerException("malformed OBJECT IDENTIFIER", at);
        }
        // X.690 §8.19.2: a subidentifier never starts with 0x80, so each OID has exactly one encoding and
        // comparing raw contents with a known OID is a real comparison.
        for (int i = 0; i < oid.length; i++) {
            if (oid[i] == (byte) 0x80 && (i == 0 || (oid[i - 1] & 0x80) == 0)) {
                throw new DerException("OBJECT IDENTIFIER subidentifier not in minimal form", at);
            }
        }
        return oid;
    }

    /** A KerberosString (GeneralString restricted to IA5 by RFC 4120 §5.2.1; UTF-8 tolerated as MIT does). */
    public String readGeneralString() throws DerException {
        int start = header(GENERAL_STRING);
        return new String(buf, start, pos - start, StandardCharsets.UTF_8);
    }

    /**
     * A KerberosString that names something (a principal's component, a realm): as {@link #readGeneralString()}, but
     * bytes that are not UTF-8 are refused, not replaced. Lenient decoding would turn {@code alice\xFE} and
     * {@code alice\xFF} into the same {@code alice\uFFFD}: two principals with one name.
     */
    public String readKerberosName() throws DerException {
        int at = pos;
        int start = header(GENERAL_STRING);
        if (isAscii(buf, start, pos)) {
            // Nearly every name: ASCII is UTF-8 as it stands, and needs no decoder of its own per name.
            return new String(buf, start, pos - start, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, start, pos - start)).toString();
        } catch (CharacterCodingException e) {
            throw new DerException("name that is not UTF-8", at);
        }
    }

    private static boolean isAscii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /** A BIT STRING of at most 32 bits as an int, bit 0 being the most significant bit of the first octet. */
    public int readBitFlags() throws DerException {
        int at = pos;
        int start = header(BIT_STRING);
        int len = pos - start;
        if (len < 1 || len > 5) {
            throw new DerException("BIT STRING of " + len + " octets", at);
        }
        int unused = buf[start] & 0xFF;
        if (unused > 7 || (len == 1 && unused != 0)) {
            throw new DerException("BIT STRING with " + unused + " unused bits", at);
        }
        // X.690 §11.2.1: DER sets the unused bits to zero; otherwise they would leak into the returned flags.
        if ((buf[start + len - 1] & ((1 << unused) - 1)) != 0) {
            throw new DerException("BIT STRING with non-zero unused bits", at);
        }
        int v = 0;
        for (int i = 1; i < 5; i++) {
            v = (v << 8) | (i < len ? buf[start + i] & 0xFF : 0);
        }
        return v;
    }

    /** KerberosTime: GeneralizedTime {@code YYYYMMDDHHMMSSZ}, no fractions (RFC 4120 §5.2.3). */
    public Instant readKerberosTime() throws DerException {
        int at = pos;
        int start = header(GENERALIZED_TIME);
        if (pos - start != 15 || buf[start + 14] != 'Z') {
            throw new DerException("KerberosTime is not YYYYMMDDHHMMSSZ", at);
        }
        try {
            int year = digits(start, 4, at);
            int month = digits(start + 4, 2, at);
            int day = digits(start + 6, 2, at);
            int hour = digits(start + 8, 2, at);
            int minute = digits(start + 10, 2, at);
            int second = digits(start + 12, 2, at);
            return ZonedDateTime.of(year, month, day, hour, minute, second, 0, ZoneOffset.UTC).toInstant();
        } catch (java.time.DateTimeException e) {
            throw new DerException("KerberosTime out of range", at);
        }
    }

    /** Everything from here to the end of this reader, copied; for framing that is not DER (GSS token ids). */
    public byte[] readRemaining() {
        byte[] out = new byte[end - pos];
        System.arraycopy(buf, pos, out, 0, out.length);
        pos = end;
        return out;
    }

    /** Fails when bytes remain after the last expected element. */
    public void expectEnd() throws DerException {
        if (pos != end) {
            throw new DerException((end - pos) + " trailing bytes", pos);
        }
    }

    private int digits(int from, int count, int at) throws DerException {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                throw new DerException("non-digit in KerberosTime", at);
            }
            v = v * 10 + d;
        }
        return v;
    }

    private int peekTagOrFail() throws DerException {
        int tag = peekTag();
        if (tag < 0) {
            throw new DerException("unexpected end of data", pos);
        }
        return tag;
    }

    /** Consumes identifier and length; leaves {@code pos} after the contents and returns the contents' start. */
    private int header(int expectedTag) throws DerException {
        int at = pos;
        int tag = peekTagOrFail();
        if (tag != expectedTag) {
            throw new DerException(
                    "expected tag 0x" + Integer.toHexString(expectedTag) + ", found 0x" + Integer.toHexString(tag), at);
        }
        int p = pos + 1;
        if (p >= end) {
            throw new DerException("missing length", p);
        }
        int first = buf[p++] & 0xFF;
        int len;
        if (first < 0x80) {
            len = first;
        } else if (first == 0x80) {
            throw new DerException("indefinite length (BER) is not DER", at);
        } else {
            int n = first & 0x7F;
            if (n > 4) {
                throw new DerException("length of " + n + " octets", at);
            }
            if (p + n > end) {
                throw new DerException("truncated length", at);
            }
            if (buf[p] == 0) {
                throw new DerException("length not in minimal form", at);
            }
            long l = 0;
            for (int i = 0; i < n; i++) {
                l = (l << 8) | (buf[p++] & 0xFF);
            }
            if (l < 0x80) {
                throw new DerException("length not in minimal form", at);
            }
            if (l > end - p) {
                throw new DerException("length " + l + " past the end", at);
            }
            len = (int) l;
        }
        if (len > end - p) {
            throw new DerException("length " + len + " past the end", at);
        }
        pos = p + len;
        return p;
    }
}

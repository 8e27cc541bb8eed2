package io.kerbgate.pac;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A PACTYPE (MS-PAC §2.3) read with every length and offset checked before use:
 *
 * <pre>
 * ULONG cBuffers; ULONG Version (0);
 * PAC_INFO_BUFFER Buffers[cBuffers] = { ULONG ulType; ULONG cbBufferSize; ULONG64 Offset; }
 * </pre>
 *
 * Each buffer must start after the header on an 8-byte boundary (MS-PAC §2.4), end within the PAC and overlap no
 * other buffer; a buffer type may occur once. All arithmetic is done in {@code long} on values checked one at a time,
 * so no sum can wrap (CVE-2022-42898 was such a wrap in MIT's and Heimdal's PAC parsers).
 */
public final class Pac {

    public static final int LOGON_INFO = 1;
    public static final int SERVER_CHECKSUM = 6;
    public static final int PRIVSVR_CHECKSUM = 7;
    public static final int CLIENT_INFO = 10;

    /** Real PACs have about a dozen buffers; this bounds the work a hostile header can ask for. */
    static final int MAX_BUFFERS = 128;
    static final int HEADER = 8;
    static final int INFO_BUFFER = 16;

    /** One PAC_INFO_BUFFER, already checked against the PAC's bounds. */
    public record Buffer(int type, int offset, int size) {}

    private final byte[] bytes;
    private final List<Buffer> buffers;

    private Pac(byte[] bytes, List<Buffer> buffers) {
        this.bytes = bytes;
        this.buffers = buffers;
    }

    public static Pac parse(byte[] pac) throws PacException {
        byte[] bytes = pac.clone();
        if (bytes.length < HEADER) {
            throw new PacException("PAC of " + bytes.length + " bytes is shorter than its header");
        }
        long count = u32(bytes, 0);
        long version = u32(bytes, 4);
        if (version != 0) {
            throw new PacException("PAC version " + version + " (only 0 exists)");
        }
        if (count == 0 || count > MAX_BUFFERS) {
            throw new PacException("PAC with " + count + " buffers (1.." + MAX_BUFFERS + " allowed)");
        }
        long headerEnd = HEADER + count * INFO_BUFFER;
        if (headerEnd > bytes.length) {
            throw new PacException("PAC header for " + count + " buffers needs " + headerEnd + " bytes, the PAC has "
                    + bytes.length);
        }
        List<Buffer> out = new ArrayList<>((int) count);
        Set<Integer> types = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * INFO_BUFFER;
            int type = (int) u32(bytes, at);
            long size = u32(bytes, at + 4);
            long offsetLow = u32(bytes, at + 8);
            long offsetHigh = u32(bytes, at + 12);
            if (offsetHigh != 0 || offsetLow > bytes.length) {
                throw new PacException("PAC buffer " + i + " (type " + type + ") starts past the end of the PAC");
            }
            if (offsetLow < headerEnd) {
                throw new PacException("PAC buffer " + i + " (type " + type + ") at offset " + offsetLow
                        + " overlaps the PAC header (" + headerEnd + " bytes)");
            }
            if (offsetLow % 8 != 0) {
                throw new PacException("PAC buffer " + i + " (type " + type + ") at offset " + offsetLow
                        + " is not 8-byte aligned");
            }
            if (size > bytes.length - offsetLow) {
                throw new PacException("PAC buffer " + i + " (type " + type + ") of " + size + " bytes at offset "
                        + offsetLow + " ends past the end of the PAC (" + bytes.length + " bytes)");
            }
            if (!types.add(type)) {
                throw new PacException("PAC has two buffers of type " + type);
            }
            out.add(new Buffer(type, (int) offsetLow, (int) size));
        }
        List<Buffer> byOffset = new ArrayList<>(out);
        byOffset.sort(Comparator.comparingInt(Buffer::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            Buffer prev = byOffset.get(i - 1);
            Buffer next = byOffset.get(i);
            if ((long) prev.offset() + prev.size() > next.offset()) {
                throw new PacException("PAC buffers of type " + prev.type() + " and " + next.type() + " overlap");
            }
        }
        return new Pac(bytes, List.copyOf(out));
    }

    public List<Buffer> buffers() {
        return buffers;
    }

    public Optional<Buffer> buffer(int type) {
        return buffers.stream().filter(b -> b.type() == type).findFirst();
    }

    /** A copy of one buffer's contents. */
    public byte[] contents(Buffer b) {
        return Arrays.copyOfRange(bytes, b.offset(), b.offset() + b.size());
    }

    /** A copy of the whole PAC. */
    public byte[] bytes() {
        return bytes.clone();
    }

    int length() {
        return bytes.length;
    }

    static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}

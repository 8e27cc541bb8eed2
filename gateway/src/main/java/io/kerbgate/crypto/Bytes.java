package io.kerbgate.crypto;

/** Byte-string helpers for the encodings the enctype specifications use. */
final class Bytes {
    private Bytes() {
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    /** The usage number as 4 bytes big-endian, unsigned (RFC 3961 §5.3, RFC 8009 §5). */
    static byte[] bigEndian32(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    /** The message type T of RC4-HMAC, 4 bytes little-endian (RFC 4757 §4). */
    static byte[] littleEndian32(int value) {
        return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
    }

    /** The derivation constant {@code usage | kind} of RFC 3961 §5.3 and RFC 8009 §5, kind being 0x99, 0xAA or 0x55. */
    static byte[] usageConstant(int usage, int kind) {
        return concat(bigEndian32(usage), new byte[] {(byte) kind});
    }
}

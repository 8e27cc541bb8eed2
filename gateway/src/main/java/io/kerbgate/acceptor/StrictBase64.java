package io.kerbgate.acceptor;

import java.util.Arrays;

/**
 * Base64 as RFC 4648 §4 defines it, and nothing more: standard alphabet, padding required, no whitespace, and
 * canonical encodings only (zero pad bits, §3.5). {@link java.util.Base64}'s decoder accepts missing padding and
 * non-zero pad bits, so one token would have several spellings. Standard encoders (the JDK's, Go's {@code
 * StdEncoding}, Python's {@code b64encode}) always write the padded canonical form; a client that does not is refused
 * and shows up in the {@code malformed} metric.
 */
final class StrictBase64 {
    private static final byte[] VALUES = new byte[128];

    static {
        Arrays.fill(VALUES, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.length(); i++) {
            VALUES[alphabet.charAt(i)] = (byte) i;
        }
    }

    private StrictBase64() {}

    /** Decodes {@code s[from, to)}; any deviation from the canonical encoding is {@code MALFORMED}. */
    static byte[] decode(CharSequence s, int from, int to) throws Refusal {
        int len = to - from;
        if (len == 0) {
            throw malformed("empty token");
        }
        if (len % 4 != 0) {
            throw malformed("base64 length " + len + " is not a multiple of 4 (padding is required, RFC 4648 §4)");
        }
        int pad = s.charAt(to - 1) != '=' ? 0 : s.charAt(to - 2) != '=' ? 1 : 2;
        byte[] out = new byte[len / 4 * 3 - pad];
        int o = 0;
        for (int q = from; q < to; q += 4) {
            int n = q + 4 == to ? 4 - pad : 4;
            int acc = 0;
            for (int j = 0; j < n; j++) {
                acc = (acc << 6) | value(s, q + j, from);
            }
            switch (n) {
                case 4 -> {
                    out[o++] = (byte) (acc >> 16);
                    out[o++] = (byte) (acc >> 8);
                    out[o++] = (byte) acc;
                }
                case 3 -> {
                    requireZeroPadBits(acc & 0x3);
                    out[o++] = (byte) (acc >> 10);
                    out[o++] = (byte) (acc >> 2);
                }
                default -> {
                    requireZeroPadBits(acc & 0xF);
                    out[o++] = (byte) (acc >> 4);
                }
            }
        }
        return out;
    }

    private static int value(CharSequence s, int i, int from) throws Refusal {
        char c = s.charAt(i);
        int v = c < 128 ? VALUES[c] : -1;
        if (v < 0) {
            // Show the character's code, never the character: the detail goes to logs.
            throw malformed((c == '=' ? "padding '=' before the end" : String.format("character 0x%02x", (int) c))
                    + " at base64 offset " + (i - from) + " (RFC 4648 §4 alphabet)");
        }
        return v;
    }

    private static void requireZeroPadBits(int bits) throws Refusal {
        if (bits != 0) {
            throw malformed("non-zero pad bits: not the canonical encoding (RFC 4648 §3.5)");
        }
    }

    private static Refusal malformed(String detail) {
        return new Refusal(RejectReason.MALFORMED, detail);
    }
}

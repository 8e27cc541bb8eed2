package io.kerbgate.crypto;

/**
 * The n-fold function of RFC 3961 §5.1: stretches or shrinks a constant to the cipher block size before DK uses it.
 * Only key derivation calls it, once per (key, usage), so clarity wins over speed here.
 */
final class NFold {
    private NFold() {
    }

    /** Folds {@code input} into {@code outLength} bytes. */
    static byte[] fold(byte[] input, int outLength) {
        int inLength = input.length;
        int lcm = lcm(inLength, outLength);
        // The input is replicated lcm/inLength times, copy i rotated right by 13*i bits, and the copies are added
        // as big-endian numbers of outLength bytes with end-around carry (ones' complement addition).
        byte[] replicated = new byte[lcm];
        for (int copy = 0; copy < lcm / inLength; copy++) {
            byte[] rotated = rotateRight(input, 13 * copy);
            System.arraycopy(rotated, 0, replicated, copy * inLength, inLength);
        }
        int[] sum = new int[outLength];
        for (int chunk = 0; chunk < lcm; chunk += outLength) {
            int carry = 0;
            for (int i = outLength - 1; i >= 0; i--) {
                int v = sum[i] + (replicated[chunk + i] & 0xff) + carry;
                sum[i] = v & 0xff;
                carry = v >>> 8;
            }
            addEndAroundCarry(sum, carry);
        }
        byte[] out = new byte[outLength];
        for (int i = 0; i < outLength; i++) {
            out[i] = (byte) sum[i];
        }
        return out;
    }

    private static void addEndAroundCarry(int[] sum, int carry) {
        // A carry out of the top byte wraps to the bottom; it can ripple again at most once.
        while (carry != 0) {
            for (int i = sum.length - 1; i >= 0 && carry != 0; i--) {
                int v = sum[i] + carry;
                sum[i] = v & 0xff;
                carry = v >>> 8;
            }
        }
    }

    /** Rotates the whole byte string right by {@code bits} bits. */
    private static byte[] rotateRight(byte[] in, int bits) {
        int totalBits = in.length * 8;
        int shift = bits % totalBits;
        byte[] out = new byte[in.length];
        for (int bit = 0; bit < totalBits; bit++) {
            int from = Math.floorMod(bit - shift, totalBits);
            if ((in[from >>> 3] & (0x80 >>> (from & 7))) != 0) {
                out[bit >>> 3] |= (byte) (0x80 >>> (bit & 7));
            }
        }
        return out;
    }

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}

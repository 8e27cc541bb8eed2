package io.kerbgate.crypto;

import java.util.HexFormat;

/** Test vectors are transcribed with spaces and line breaks as in the RFCs; this strips them. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    static String string(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

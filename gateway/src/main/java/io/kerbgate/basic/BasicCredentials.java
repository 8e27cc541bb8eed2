package io.kerbgate.basic;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The user name and password of one {@code Authorization: Basic} header (RFC 7617), decoded as UTF-8 (the
 * {@code charset="UTF-8"} the challenge announces). The password stays bytes until a login needs it as characters, and
 * {@link #close} zeroes every copy this class made; the header's own {@code String} is the HTTP codec's and lives
 * until it is collected.
 */
final class BasicCredentials implements AutoCloseable {

    /** Longer than any real user name and password; a longer header is refused before it is decoded. */
    static final int MAX_HEADER_CHARS = 4096;
    static final int MAX_USER_CHARS = 256;
    private static final String SCHEME = "basic ";

    private final String user;
    private final byte[] password;

    private BasicCredentials(String user, byte[] password) {
        this.user = user;
        this.password = password;
    }

    /** Whether {@code authorization} is of the Basic scheme (case-insensitive, RFC 7235 §2.1), without decoding it. */
    static boolean isBasic(String authorization) {
        return authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /** @throws Malformed saying what is wrong, never quoting the password */
    static BasicCredentials parse(String authorization) throws Malformed {
        if (!isBasic(authorization)) {
            throw new Malformed("not the Basic scheme");
        }
        if (authorization.length() > MAX_HEADER_CHARS) {
            throw new Malformed("header longer than " + MAX_HEADER_CHARS + " characters");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(SCHEME.length()).strip());
        } catch (IllegalArgumentException e) {
            throw new Malformed("not base64");
        }
        try {
            int colon = indexOf(decoded, (byte) ':');
            if (colon < 0) {
                throw new Malformed("no ':' between user name and password");
            }
            String user = utf8(Arrays.copyOfRange(decoded, 0, colon));
            if (user == null) {
                throw new Malformed("user name is not UTF-8");
            }
            if (user.isEmpty() || user.length() > MAX_USER_CHARS) {
                throw new Malformed("user name of " + user.length() + " characters");
            }
            byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
            if (password.length == 0) {
                throw new Malformed("empty password");
            }
            return new BasicCredentials(user, password);
        } finally {
            Arrays.fill(decoded, (byte) 0);
        }
    }

    /** The user name as the client wrote it; not yet checked ({@link LoginNames}). */
    String user() {
        return user;
    }

    /** The password's UTF-8 bytes, for the keyed hash; not a copy: do not keep it. */
    byte[] passwordBytes() {
        return password;
    }

    /**
     * The password as characters for the JDK's login, a fresh array the caller must zero.
     *
     * @throws Malformed when the password is not UTF-8
     */
    char[] passwordChars() throws Malformed {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars = CharBuffer.allocate(password.length);
        if (decoder.decode(ByteBuffer.wrap(password), chars, true).isError() || decoder.flush(chars).isError()) {
            Arrays.fill(chars.array(), '\0');
            throw new Malformed("password is not UTF-8");
        }
        char[] copy = Arrays.copyOf(chars.array(), chars.position());
        Arrays.fill(chars.array(), '\0');
        return copy;
    }

    @Override
    public void close() {
        Arrays.fill(password, (byte) 0);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** A header that is not {@code Basic base64(user:password)}; the message is safe to log. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + ", password hidden]";
    }
}

package io.kerbgate.rollover;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Step 1, generate: a random password and the keys every enctype derives from it with the KDC's salt, so that the
 * keys the nodes get are the keys the KDC will derive when it is given the password.
 */
final class KeyGenerator {

    /** 48 characters of a 70-character alphabet: about 294 bits, well past what any KDC policy asks. */
    static final int PASSWORD_LENGTH = 48;

    // No white space, quotes or backslashes: kadmin splits its query on them. Every class is present so that an
    // Active Directory complexity policy accepts the password too.
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";
    private static final String SYMBOLS = "-_.+=:,%";
    private static final String ALPHABET = UPPER + LOWER + DIGITS + SYMBOLS;

    private final SecureRandom random;

    KeyGenerator(SecureRandom random) {
        this.random = random;
    }

    NewKey generate(int kvno, List<Enctype> enctypes, String salt) {
        char[] password = password();
        try {
            return derive(kvno, enctypes, password, salt);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static NewKey derive(int kvno, List<Enctype> enctypes, char[] password, String salt) {
        List<KerberosKey> keys = new ArrayList<>();
        for (Enctype e : enctypes) {
            keys.add(KerberosCrypto.stringToKey(e, password, salt));
        }
        return new NewKey(kvno, keys, password);
    }

    char[] password() {
        while (true) {
            char[] out = new char[PASSWORD_LENGTH];
            for (int i = 0; i < out.length; i++) {
                out[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            if (hasOneOf(out, UPPER) && hasOneOf(out, LOWER) && hasOneOf(out, DIGITS) && hasOneOf(out, SYMBOLS)) {
                return out;
            }
        }
    }

    private static boolean hasOneOf(char[] password, String chars) {
        for (char c : password) {
            if (chars.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }
}

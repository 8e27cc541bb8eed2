package io.kerbgate.rollover.kdc;

/** Kerberos salts computed from a principal name. */
public final class Salts {

    private Salts() {}

    /**
     * The default salt of RFC 4120 §4 as MIT and Kerby compute it: the realm followed by every name component, with
     * no separators. {@code HTTP/array.example.test@ARRAY.TEST -> ARRAY.TESTHTTParray.example.test}.
     */
    public static String mitDefault(String principal) {
        int at = principal.lastIndexOf('@');
        if (at <= 0 || at == principal.length() - 1) {
            throw new IllegalArgumentException("principal has no @REALM: " + principal);
        }
        return principal.substring(at + 1) + principal.substring(0, at).replace("/", "");
    }
}

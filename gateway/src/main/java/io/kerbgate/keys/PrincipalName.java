package io.kerbgate.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * The string form of a Kerberos principal, {@code primary/instance@REALM}, as MIT's {@code krb5_unparse_name}
 * writes it: a {@code /}, {@code @} or {@code \} inside a component (and {@code @} or {@code \} inside the realm)
 * is escaped with a backslash, so that every keytab entry survives a read and a write unchanged. Nothing else is
 * normalised: principals are compared as these exact strings.
 */
record PrincipalName(List<String> components, String realm) {

    PrincipalName {
        components = List.copyOf(components);
        if (components.isEmpty()) {
            throw new IllegalArgumentException("a principal needs at least one name component");
        }
        if (realm.isEmpty()) {
            throw new IllegalArgumentException("a principal needs a realm");
        }
    }

    /** Parses {@code primary/instance@REALM}; the realm part is required. */
    static PrincipalName parse(String text) {
        List<String> components = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (++i == text.length()) {
                    throw new IllegalArgumentException("principal ends with a lone backslash: " + text);
                }
                current.append(text.charAt(i));
            } else if (c == '/') {
                components.add(current.toString());
                current.setLength(0);
            } else if (c == '@') {
                components.add(current.toString());
                return new PrincipalName(components, unescape(text, i + 1));
            } else {
                current.append(c);
            }
        }
        throw new IllegalArgumentException("principal has no @REALM: " + text);
    }

    private static String unescape(String text, int from) {
        StringBuilder out = new StringBuilder(text.length() - from);
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (++i == text.length()) {
                    throw new IllegalArgumentException("principal ends with a lone backslash: " + text);
                }
                c = text.charAt(i);
            } else if (c == '@') {
                throw new IllegalArgumentException("principal has a second, unescaped @: " + text);
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The display form, escaped as {@link io.kerbgate.messages.PrincipalName#withRealm} writes it for tickets. */
    @Override
    public String toString() {
        // The name type plays no part in the display form.
        return new io.kerbgate.messages.PrincipalName(0, components).withRealm(realm);
    }
}

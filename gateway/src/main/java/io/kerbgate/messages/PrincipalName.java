package io.kerbgate.messages;

import io.kerbgate.der.DerException;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * <pre>
 * PrincipalName ::= SEQUENCE {
 *         name-type       [0] Int32,
 *         name-string     [1] SEQUENCE OF KerberosString
 * }
 * </pre>
 * RFC 4120 §5.2.2. The name type is carried but never compared: RFC 4120 §6.2 says names match on their strings.
 */
public record PrincipalName(int nameType, List<String> components) {
    public static final int NT_PRINCIPAL = 1;
    public static final int NT_SRV_INST = 2;
    public static final int NT_SRV_HST = 3;

    /** Bounds the component count: real names have one to three; this keeps a hostile list cheap. */
    private static final int MAX_COMPONENTS = 16;

    public PrincipalName {
        components = List.copyOf(components);
    }

    public static PrincipalName decode(DerReader in) throws DerException {
        DerReader seq = in.readConstructed(DerReader.SEQUENCE);
        int type = seq.readExplicit(0).readInt();
        DerReader strings = seq.readExplicit(1).readConstructed(DerReader.SEQUENCE);
        List<String> parts = new ArrayList<>(2);
        while (strings.hasRemaining()) {
            if (parts.size() == MAX_COMPONENTS) {
                throw new DerException("principal name with more than " + MAX_COMPONENTS + " components",
                        strings.offset());
            }
            parts.add(strings.readKerberosName());
        }
        if (parts.isEmpty()) {
            throw new DerException("principal name without components", seq.offset());
        }
        seq.expectEnd();
        return new PrincipalName(type, parts);
    }

    public byte[] encode() {
        byte[][] strings = new byte[components.size()][];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = DerWriter.generalString(components.get(i));
        }
        return DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.integer(nameType)),
                DerWriter.explicit(1, DerWriter.sequence(strings)));
    }

    /**
     * {@code primary/instance@REALM}, the display form of RFC 1964 §2.1.1 as MIT's {@code krb5_unparse_name} writes it:
     * a {@code /}, {@code @} or {@code \} inside a component, and an {@code @} or {@code \} inside the realm, is escaped
     * with a backslash. Keytabs, logs, access rules and the identity header all use this form, and it is unambiguous:
     * {@code a/b@R} (two components) and {@code a\/b@R} (one component {@code a/b}) are different strings, and so are
     * {@code alice@R} and {@code alice\@R@PARTNER} (a component {@code alice@R} in realm {@code PARTNER}).
     */
    public String withRealm(String realm) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < components.size(); i++) {
            if (i > 0) {
                out.append('/');
            }
            escape(components.get(i), "/@\\", out);
        }
        out.append('@');
        escape(realm, "@\\", out);
        return out.toString();
    }

    /**
     * Why this name, in {@code realm}, cannot be forwarded in a header, or {@code null} when it can. A control character
     * (CR, LF, NUL, TAB...) could split or end the header, and a leading or trailing space disappears when the backend
     * trims the value ({@code " alice"} would arrive as {@code alice}): both would let one principal pass for another.
     * The message names positions and code points only, never the name (it may be hostile).
     */
    public @Nullable String headerProblem(String realm) {
        for (int i = 0; i < components.size(); i++) {
            String problem = problem(components.get(i));
            if (problem != null) {
                return "name component " + (i + 1) + " " + problem;
            }
        }
        String problem = problem(realm);
        return problem == null ? null : "realm " + problem;
    }

    private static @Nullable String problem(String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return String.format("has the control character U+%04X at %d", (int) c, i);
            }
        }
        if (!part.isEmpty() && (part.charAt(0) == ' ' || part.charAt(part.length() - 1) == ' ')) {
            return "starts or ends with a space";
        }
        return null;
    }

    /**
     * The index of the {@code @} that separates the name from the realm in a display form that
     * {@link #withRealm(String)} wrote (the first one not escaped), or -1 when there is none.
     */
    public static int realmSeparator(String display) {
        for (int i = 0; i < display.length(); i++) {
            char c = display.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '@') {
                return i;
            }
        }
        return -1;
    }

    /** The realm of a display form, unescaped; {@code ""} when it has none. */
    public static String realmOf(String display) {
        int at = realmSeparator(display);
        if (at < 0) {
            return "";
        }
        StringBuilder out = new StringBuilder(display.length() - at);
        for (int i = at + 1; i < display.length(); i++) {
            char c = display.charAt(i);
            if (c == '\\' && i + 1 < display.length()) {
                c = display.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    private static void escape(String part, String special, StringBuilder out) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (special.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
    }
}

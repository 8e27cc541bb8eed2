package io.kerbgate.basic;

import java.util.Locale;

/**
 * Which principal a Basic user name logs in as: {@code alice} is {@code alice@REALM} of {@code basic.realm}, and
 * {@code alice@realm} must name that realm (any case). Anything else is refused before the KDC is asked: another
 * realm (its KDC is not ours to send passwords to), a service-style name with {@code /} (only users log in with a
 * password here), a Windows down-level name ({@code DOMAIN}, backslash, {@code user}) or an enterprise
 * {@code user@domain@REALM} form, control characters, or spaces at either end.
 */
final class LoginNames {

    private final String realm;

    LoginNames(String realm) {
        this.realm = realm;
    }

    String realm() {
        return realm;
    }

    /**
     * @return the principal {@code name@REALM} to log in as
     * @throws Refused saying why, quoting the user name escaped
     */
    String principal(String user) throws Refused {
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (Character.isISOControl(c)) {
                throw new Refused("user name " + quote(user) + " has a control character");
            }
            if (c == '/' || c == '\\') {
                throw new Refused("user name " + quote(user) + " has a '" + c + "': only plain user names log in");
            }
        }
        if (!user.strip().equals(user)) {
            throw new Refused("user name " + quote(user) + " starts or ends with a space");
        }
        int at = user.indexOf('@');
        if (at < 0) {
            return user + "@" + realm;
        }
        String name = user.substring(0, at);
        String given = user.substring(at + 1);
        if (name.isEmpty() || given.indexOf('@') >= 0) {
            throw new Refused("user name " + quote(user) + " is not name or name@" + realm);
        }
        if (!given.equalsIgnoreCase(realm)) {
            throw new Refused("user name " + quote(user) + " is of another realm than basic.realm " + realm);
        }
        return name + "@" + realm;
    }

    /**
     * The key of a principal's rate limit: lower-cased, so that {@code Alice} and {@code ALICE} (one account to
     * Active Directory, which compares names without case) share one budget.
     */
    static String limitKey(String principal) {
        return principal.toLowerCase(Locale.ROOT);
    }

    /** A user name for a log line: printable ASCII as it is, everything else escaped. */
    static String quote(String user) {
        StringBuilder out = new StringBuilder(user.length() + 2).append('"');
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }

    /** A user name that is not tried against the KDC; the message is safe to log. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}

package io.kerbgate.pac;

import java.util.Arrays;

/**
 * A Windows security identifier (MS-DTYP §2.4.2): revision 1, a 48-bit identifier authority and up to 15
 * sub-authorities; printed as {@code S-1-5-21-1004336348-1177238915-682003330-1104}.
 */
public record Sid(int revision, long authority, int[] subAuthorities) {

    static final int MAX_SUB_AUTHORITIES = 15;

    public Sid {
        if (subAuthorities.length > MAX_SUB_AUTHORITIES) {
            throw new IllegalArgumentException("a SID has at most 15 sub-authorities");
        }
        subAuthorities = subAuthorities.clone();
    }

    /** This domain SID with {@code rid} appended: a user's or group's SID. */
    public Sid withRid(int rid) {
        int[] subs = Arrays.copyOf(subAuthorities, subAuthorities.length + 1);
        subs[subs.length - 1] = rid;
        return new Sid(revision, authority, subs);
    }

    @Override
    public int[] subAuthorities() {
        return subAuthorities.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sid s && s.revision == revision && s.authority == authority
                && Arrays.equals(s.subAuthorities, subAuthorities);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(authority) * 31 + Arrays.hashCode(subAuthorities);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("S-").append(revision).append('-');
        // MS-DTYP: the authority is printed in decimal below 2^32, in hex above.
        b.append(authority < (1L << 32) ? Long.toString(authority) : "0x" + Long.toHexString(authority).toUpperCase());
        for (int s : subAuthorities) {
            b.append('-').append(Integer.toUnsignedString(s));
        }
        return b.toString();
    }

    /** Parses {@code S-1-5-21-...}. @throws IllegalArgumentException when it is not a SID */
    public static Sid parse(String text) {
        String[] parts = text.split("-", -1);
        if (parts.length < 3 || parts.length > 3 + MAX_SUB_AUTHORITIES || !parts[0].equalsIgnoreCase("S")) {
            throw new IllegalArgumentException("not a SID: " + text);
        }
        try {
            int revision = Integer.parseInt(parts[1]);
            long authority = parts[2].startsWith("0x") ? Long.parseLong(parts[2].substring(2), 16)
                    : Long.parseLong(parts[2]);
            if (revision != 1 || authority < 0 || authority >= (1L << 48)) {
                throw new IllegalArgumentException("not a SID: " + text);
            }
            int[] subs = new int[parts.length - 3];
            for (int i = 0; i < subs.length; i++) {
                subs[i] = Integer.parseUnsignedInt(parts[3 + i]);
            }
            return new Sid(revision, authority, subs);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a SID: " + text, e);
        }
    }
}

package io.kerbgate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A block of IP addresses in CIDR notation, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a block of one.
 * Only literal addresses: a host name is refused rather than resolved.
 */
public record AddressRange(InetAddress network, int prefix) {

    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+(%[A-Za-z0-9]+)?");

    public AddressRange {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix /" + prefix + " is not within 0.." + bits);
        }
    }

    /** @throws IllegalArgumentException when {@code text} is not {@code address[/prefix]} */
    public static AddressRange parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (!LITERAL.matcher(address).matches() || !(address.contains(".") || address.contains(":"))) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block");
        }
        InetAddress network;
        try {
            network = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR block", e);
        }
        int bits = network.getAddress().length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" has no numeric prefix length", e);
        }
        return new AddressRange(network, prefix);
    }

    /** Whether {@code address} is in this block; an IPv4 address is never in an IPv6 block, nor the reverse. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (a[full] & mask) == (n[full] & mask);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefix;
    }
}

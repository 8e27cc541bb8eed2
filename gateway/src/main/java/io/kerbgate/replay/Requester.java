package io.kerbgate.replay;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * Whom an authenticator is charged to, for the per-principal and per-address bounds of the replay cache (issue #11
 * item 5): the client principal from the decrypted ticket, and the peer's address, an IPv6 peer by its /64 (one
 * host commonly holds a whole /64, so counting single IPv6 addresses would bound nothing).
 *
 * @param principal the authenticated client, {@code name@REALM}
 * @param address   the IPv4 address, or the IPv6 /64 as {@code 2001:db8:0:1::/64}
 */
public record Requester(String principal, String address) {
    /** Charged to nobody: entries restored from the replay file, and callers that know no client. */
    public static final Requester UNATTRIBUTED = new Requester("", "");

    public Requester {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(address, "address");
    }

    public static Requester of(String principal, InetAddress peer) {
        return new Requester(principal, addressKey(peer));
    }

    static String addressKey(InetAddress peer) {
        if (peer instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(peer.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress().replaceFirst("(:0)+$", "::") + "/64";
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("16 bytes are an IPv6 address", e);
            }
        }
        return peer.getHostAddress();
    }

    boolean isAttributed() {
        return !principal.isEmpty();
    }
}

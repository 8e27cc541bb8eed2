package io.kerbgate.replay;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What identifies one authenticator: the MAC tag of its ciphertext plus the service principal it was sent to.
 * The tag is a keyed MAC over the whole authenticator, so two different authenticators that share client, ctime
 * and cusec still differ here (MIT's design since krb5 1.18), and an attacker cannot make two collide.
 */
public final class ReplayKey {
    private final String service;
    private final byte[] tag;
    private final int hash;

    public ReplayKey(String service, byte[] tag) {
        this.service = service;
        this.tag = tag.clone();
        this.hash = 31 * service.hashCode() + Arrays.hashCode(tag);
    }

    public String service() {
        return service;
    }

    /** A printable form, also used as the key in a shared store. */
    public String externalForm() {
        return service + ":" + HexFormat.of().formatHex(tag);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayKey k && hash == k.hash && service.equals(k.service) && Arrays.equals(tag, k.tag);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return externalForm();
    }
}

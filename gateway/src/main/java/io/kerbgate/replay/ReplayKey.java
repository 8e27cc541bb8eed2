package io.kerbgate.replay;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * What identifies one authenticator: the MAC tag of its ciphertext, and nothing else. The tag is a MAC, keyed with
 * the ticket's session key, over the whole authenticator, so two different authenticators that share client, ctime
 * and cusec still differ here (MIT's design since krb5 1.18), and nobody without the session key can make two collide
 * or change one without changing its tag. The ticket's sname, realm and kvno are deliberately left out: they are in
 * clear, so a captured token relabelled for another principal that shares the key (an Active Directory account with
 * several SPNs) must still be the same authenticator here (issue #11 item 4).
 */
public final class ReplayKey {
    private final byte[] tag;
    private final int hash;

    public ReplayKey(byte[] tag) {
        this.tag = tag.clone();
        this.hash = Arrays.hashCode(tag);
    }

    /** A copy of the tag. */
    public byte[] tag() {
        return tag.clone();
    }

    /** A printable form, also used as the key in a shared store. */
    public String externalForm() {
        return HexFormat.of().formatHex(tag);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayKey k && hash == k.hash && Arrays.equals(tag, k.tag);
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

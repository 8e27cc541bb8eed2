package io.kerbgate.rollover;

import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.keys.KeytabEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The next key of the array principal: one kvno, a key per configured enctype, and the password they were derived
 * from when the KDC must be given a password (absent after a resume against a KDC that takes keys). Never printed:
 * {@link #toString()} names the kvno and enctypes only.
 */
public final class NewKey {

    /** NT-PRINCIPAL, the name type {@code ktadd} writes for service principals too. */
    static final int NAME_TYPE = 1;

    private final int kvno;
    private final List<KerberosKey> keys;
    private final char @Nullable [] password;

    NewKey(int kvno, List<KerberosKey> keys, char @Nullable [] password) {
        if (kvno < 1) {
            throw new IllegalArgumentException("kvno must be 1 or more: " + kvno);
        }
        this.kvno = kvno;
        this.keys = List.copyOf(keys);
        this.password = password == null ? null : password.clone();
    }

    public int kvno() {
        return kvno;
    }

    public List<KerberosKey> keys() {
        return keys;
    }

    /** A copy of the password, for the KDC adapter only. @throws IllegalStateException when there is none */
    public char[] password() {
        if (password == null) {
            throw new IllegalStateException("the password of kvno " + kvno + " is not at hand");
        }
        return password.clone();
    }

    boolean hasPassword() {
        return password != null;
    }

    /** The keytab entries of this key for {@code principal}, stamped {@code timestamp} (epoch seconds). */
    public List<KeytabEntry> entries(String principal, long timestamp) {
        List<KeytabEntry> out = new ArrayList<>();
        for (KerberosKey key : keys) {
            out.add(new KeytabEntry(principal, NAME_TYPE, timestamp, kvno, key.enctype().id(), key.bytes()));
        }
        return out;
    }

    /** Overwrites the password in memory once it is no longer needed. */
    void forgetPassword() {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NewKey other && kvno == other.kvno && keys.equals(other.keys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kvno, keys);
    }

    @Override
    public String toString() {
        return "kvno " + kvno + " (" + keys.stream().map(k -> k.enctype().kerberosName())
                .collect(Collectors.joining(", ")) + ")";
    }
}

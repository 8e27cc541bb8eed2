package io.kerbgate.keys;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a keytab: a key of one principal, key version and enctype.
 *
 * @param principal {@code primary/instance@REALM}, for example {@code HTTP/array.example.com@EXAMPLE.COM}
 * @param nameType  the principal's name type (1 = NT-PRINCIPAL, 3 = NT-SRV-HST)
 * @param timestamp seconds since the epoch at which the entry was written (unsigned 32-bit in the file)
 * @param kvno      the key version number, 0 or more
 * @param enctype   the encryption type number; kept even when kerbgate cannot use it
 * @param key       the raw key bytes; copied in and out, and never printed by {@link #toString()}
 */
public record KeytabEntry(String principal, int nameType, long timestamp, int kvno, int enctype, byte[] key) {

    public KeytabEntry {
        PrincipalName.parse(Objects.requireNonNull(principal, "principal"));
        if (timestamp < 0 || timestamp > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("timestamp does not fit in 32 unsigned bits: " + timestamp);
        }
        if (kvno < 0) {
            throw new IllegalArgumentException("kvno must be 0 or more: " + kvno);
        }
        // The file stores the enctype as MIT's krb5_int16: negative values are the vendors' local enctypes.
        if (enctype < Short.MIN_VALUE || enctype > Short.MAX_VALUE) {
            throw new IllegalArgumentException("enctype does not fit in 16 bits: " + enctype);
        }
        key = Objects.requireNonNull(key, "key").clone();
        if (key.length > 0xFFFF) {
            throw new IllegalArgumentException("key longer than 65535 bytes: " + key.length);
        }
    }

    /** A copy of the key bytes. */
    @Override
    public byte[] key() {
        return key.clone();
    }

    /** The key without a copy, for the package's snapshots: nothing outside this record can reach the array. */
    byte[] keyBytes() {
        return key;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KeytabEntry e
                && principal.equals(e.principal)
                && nameType == e.nameType
                && timestamp == e.timestamp
                && kvno == e.kvno
                && enctype == e.enctype
                && Arrays.equals(key, e.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(principal, nameType, timestamp, kvno, enctype, Arrays.hashCode(key));
    }

    @Override
    public String toString() {
        return "KeytabEntry[" + principal + " kvno " + kvno + " enctype " + enctype
                + " nameType " + nameType + " timestamp " + timestamp + " key (" + key.length + " bytes)]";
    }
}

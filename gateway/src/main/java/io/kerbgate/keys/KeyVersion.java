package io.kerbgate.keys;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosKey;
import java.time.Instant;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One key version of one principal inside a {@link KeySet}: its keys by enctype and its life in the keytab. A version
 * is current while the keytab lists it; once it disappears it stays <em>in grace</em>, still accepted, until
 * {@link #retiresAt()}, so that tickets the KDC issued under it before the rollover keep working.
 */
public final class KeyVersion {

    private final String principal;
    private final int kvno;
    private final int[] enctypes;
    private final byte[][] keys;
    private final Lookup.Found[] found;
    private final Lookup.NoEnctype noEnctype;
    private final Instant firstSeen;
    private final Instant lastSeen;
    private final Instant retiresAt;

    /**
     * @param keys      key bytes by enctype; the arrays are taken as they are (the caller gives up its references)
     * @param retiresAt when the version leaves the key set, or {@code null} while the keytab still lists it
     */
    KeyVersion(String principal, int kvno, SortedMap<Integer, byte[]> keys, Instant firstSeen, Instant lastSeen,
            Instant retiresAt) {
        this.principal = principal;
        this.kvno = kvno;
        this.enctypes = keys.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.keys = keys.values().toArray(new byte[0][]);
        this.found = new Lookup.Found[enctypes.length];
        for (int i = 0; i < enctypes.length; i++) {
            found[i] = new Lookup.Found(prepared(enctypes[i], this.keys[i]), kvno);
        }
        this.noEnctype = new Lookup.NoEnctype(enctypes);
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
        this.retiresAt = retiresAt;
    }

    private KeyVersion(KeyVersion version, Instant retiresAt) {
        this.principal = version.principal;
        this.kvno = version.kvno;
        this.enctypes = version.enctypes;
        this.keys = version.keys;
        this.found = version.found;
        this.noEnctype = version.noEnctype;
        this.firstSeen = version.firstSeen;
        this.lastSeen = version.lastSeen;
        this.retiresAt = retiresAt;
    }

    private static KerberosKey prepared(int enctype, byte[] bytes) {
        Enctype e = Enctype.fromId(enctype);
        return e == null || bytes.length != e.keyLength() ? null : new KerberosKey(e, bytes);
    }

    /** This version, gone from the keytab, accepted until {@code until}. */
    KeyVersion inGraceUntil(Instant until) {
        return new KeyVersion(this, until);
    }

    public String principal() {
        return principal;
    }

    public int kvno() {
        return kvno;
    }

    /** The enctypes of this version's keys, ascending, including enctypes kerbgate cannot use. */
    public SortedSet<Integer> enctypes() {
        SortedSet<Integer> out = new TreeSet<>();
        for (int enctype : enctypes) {
            out.add(enctype);
        }
        return Collections.unmodifiableSortedSet(out);
    }

    /** When this version first appeared in the keytab, as far as this process has seen. */
    public Instant firstSeen() {
        return firstSeen;
    }

    /** The last load of the keytab that listed this version. */
    public Instant lastSeen() {
        return lastSeen;
    }

    /** True once the keytab no longer lists this version; it is still accepted until {@link #retiresAt()}. */
    public boolean inGrace() {
        return retiresAt != null;
    }

    /** When an in-grace version is dropped; empty while the keytab lists it. */
    public Optional<Instant> retiresAt() {
        return Optional.ofNullable(retiresAt);
    }

    /** The key of {@code enctype}, or {@code null}; shared, for comparison only. */
    byte[] key(int enctype) {
        int i = indexOf(enctype);
        return i < 0 ? null : keys[i];
    }

    Lookup find(int enctype) {
        int i = indexOf(enctype);
        return i < 0 ? noEnctype : found[i];
    }

    Lookup.Found found(int enctype) {
        return found[indexOf(enctype)];
    }

    int[] enctypeArray() {
        return enctypes;
    }

    boolean retiredAt(Instant now) {
        return retiresAt != null && !now.isBefore(retiresAt);
    }

    // A version holds a handful of enctypes: a scan beats hashing and allocates nothing.
    private int indexOf(int enctype) {
        for (int i = 0; i < enctypes.length; i++) {
            if (enctypes[i] == enctype) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return principal + " kvno " + kvno + " enctypes " + enctypes() + (inGrace() ? " in grace until " + retiresAt : "");
    }
}

package io.kerbgate.rollover;

import io.kerbgate.keys.KeytabEntry;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The KDC's admin side, as the rollover needs it. One implementation per KDC family, in {@code rollover.kdc}:
 * {@code MitKdcAdapter} ({@code kadmin.local} or {@code kadmin}); the tests add {@code KerbyKdcAdapter} (an
 * embedded KDC). The Active Directory adapter ({@code ActiveDirectoryKdcAdapter}) fits the same shape: {@link #currentKvno} reads {@code msDS-KeyVersionNumber},
 * {@link #salt} returns AD's salt ({@code REALM} + {@code host} + the lower-cased sAMAccountName for computer accounts,
 * or {@code REALM} + the case-sensitive user name for user accounts), and {@link #commit} sets
 * {@code unicodePwd} over LDAPS; it {@link #needsPassword() needs the password}, as MIT's {@code cpw -pw} does.
 *
 * <p>Principals are full names, {@code HTTP/array.example.test@ARRAY.TEST}.
 */
public interface KdcAdapter {

    /** For output lines: {@code mit kadmin.local}, {@code kerby embedded}. */
    String describe();

    boolean exists(String principal) throws KdcException;

    /** The kvno the KDC issues tickets under now. @throws KdcException also when the principal does not exist */
    int currentKvno(String principal) throws KdcException;

    /** The salt the KDC derives the principal's keys with from a password, so that nodes can derive the same keys. */
    String salt(String principal) throws KdcException;

    /**
     * True when {@link #commit} and {@link #create} take the key only as a password, from which the KDC derives the
     * keys itself (MIT {@code cpw -pw}, AD); false when it takes the keys as they are (Kerby).
     */
    boolean needsPassword();

    /** The kvno of the first key of a principal {@link #create created} here. */
    int firstKvno();

    /** Creates the principal with {@code key}, which must carry {@link #firstKvno()}. */
    void create(String principal, NewKey key) throws KdcException;

    /**
     * Makes {@code key} the principal's current key. The caller reads {@link #currentKvno} back afterwards and fails
     * loudly unless it is {@code key.kvno()}: MIT and AD choose the kvno themselves (current + 1).
     */
    void commit(String principal, NewKey key) throws KdcException;

    /** When the principal's current key was set, if the KDC records it; {@code keys retire} counts the grace from it. */
    Optional<Instant> keyChangedAt(String principal) throws KdcException;

    /**
     * Other names the same keys go to the nodes under ({@code name@REALM}): AD's account has several SPNs and a name
     * of its own, all with the account's one key. None for MIT and Kerby.
     */
    default List<String> aliases(String principal) throws KdcException {
        return List.of();
    }

    /**
     * The principal's current keys as the KDC stores them, for {@code keys add-node} in an array reached only by admin
     * URLs (no node keytab is readable there, and an admin API never shows key bytes) when the tool's
     * {@link KeyArchive} lacks the KDC's current kvno. Empty when this adapter cannot read keys. MIT:
     * {@code ktadd -norandkey} (kadmin.local, or kadmin with the {@code e} privilege); the KDC keeps only its current
     * kvno, so older kvnos are not among them (the archive has those).
     */
    default Optional<List<KeytabEntry>> currentKeys(String principal) throws KdcException {
        return Optional.empty();
    }
}

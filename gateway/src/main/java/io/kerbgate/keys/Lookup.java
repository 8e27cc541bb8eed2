package io.kerbgate.keys;

import io.kerbgate.crypto.KerberosKey;

/**
 * The answer of {@link KeySet#find}. Every instance is built with its snapshot, so a lookup allocates nothing; the
 * arrays inside are shared by every caller and must be read, never modified.
 *
 * <p>The three misses map to the acceptor's errors (ACCEPTOR-CHECKLIST item 10): {@link NoPrincipal} to
 * KDC_ERR_S_PRINCIPAL_UNKNOWN, {@link NoKvno} and {@link NoEnctype} to KRB_AP_ERR_BADKEYVER, whose log line should
 * list what the keytab has, the usual sign of a botched rollover.
 */
public sealed interface Lookup permits Lookup.Found, Lookup.NoPrincipal, Lookup.NoKvno, Lookup.NoEnctype {

    /**
     * @param key  the key, prepared once per snapshot so that its per-usage derived keys are cached across requests;
     *             {@code null} when the entry's enctype is one kerbgate cannot use or its length is wrong for it
     * @param kvno the key version that holds the key; the one chosen when the ticket named none
     */
    record Found(KerberosKey key, int kvno) implements Lookup {}

    /** The key set holds no key for the principal. */
    record NoPrincipal() implements Lookup {
        static final NoPrincipal INSTANCE = new NoPrincipal();
    }

    /** @param kvnosPresent the principal's key versions, ascending (shared: do not modify) */
    record NoKvno(int[] kvnosPresent) implements Lookup {}

    /**
     * @param enctypesPresent the enctypes of the asked kvno, ascending (shared: do not modify); when the ticket named
     *                        no kvno, the enctypes of all the principal's kvnos
     */
    record NoEnctype(int[] enctypesPresent) implements Lookup {}
}

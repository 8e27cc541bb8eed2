/**
 * The acceptor's keys and how they follow a key rollover.
 *
 * <ul>
 *   <li>{@link io.kerbgate.keys.KeytabFile} reads and writes MIT keytabs ({@link io.kerbgate.keys.KeytabEntry}),
 *       strictly: a truncated or corrupt file is a {@link io.kerbgate.keys.KeytabException}, never a partial load.</li>
 *   <li>{@link io.kerbgate.keys.KeySet} is an immutable snapshot, principal → kvno → enctype → key, that answers a
 *       request's {@link io.kerbgate.keys.KeySet#find lookup} without allocating.</li>
 *   <li>{@link io.kerbgate.keys.KeyRing} holds the current snapshot, builds the next one from each load of the keytab,
 *       keeps a rolled kvno for a grace period, and tells listeners (the ticket cache) which kvnos were retired.</li>
 *   <li>{@link io.kerbgate.keys.KeytabWatcher} is the rollover listener: file events plus a checksum poll, one
 *       daemon thread, and bad files counted and refused while the good keys stay.</li>
 *   <li>{@link io.kerbgate.keys.CookieKeys} reads the session cookie's key file, which the config checks when it is read
 *       and the sessions keep current.</li>
 * </ul>
 *
 * <p>Enctypes are plain {@code int}s and keys plain {@code byte[]}s here: the package knows no cryptography, keeps
 * entries of enctypes nobody here can use, and leaves the allow-list to the acceptor.
 */
package io.kerbgate.keys;

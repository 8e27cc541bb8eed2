/**
 * The rollover tool's KDC adapters, one per KDC family, each a {@link io.kerbgate.rollover.KdcAdapter}: MIT through
 * {@code kadmin.local} or {@code kadmin} ({@link io.kerbgate.rollover.kdc.MitKdcAdapter}, {@code Kadmin}) and Active
 * Directory over LDAP ({@link io.kerbgate.rollover.kdc.ActiveDirectoryKdcAdapter}); {@code Salts} derives the salt
 * the KDC uses, so keys generated here equal the KDC's.
 */
@NullMarked
package io.kerbgate.rollover.kdc;

import org.jspecify.annotations.NullMarked;

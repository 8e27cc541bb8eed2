/**
 * The Microsoft PAC (MS-PAC) carried in Active Directory tickets: {@link io.kerbgate.pac.Pac} reads the PACTYPE with
 * every buffer bounds-checked, {@link io.kerbgate.pac.PacVerifier} checks the server signature with the service key
 * and the client info against the ticket, and {@link io.kerbgate.pac.ValidationInfo} decodes the group SIDs from the
 * NDR-encoded KERB_VALIDATION_INFO. Nothing here trusts a length or an offset it has not checked.
 *
 * <p>Trust model: the KDC signature cannot be checked offline, so whoever holds the service key (the array's keytab)
 * can forge any PAC for this service. The server signature proves only that the PAC came with a ticket made with
 * that key.
 */
@NullMarked
package io.kerbgate.pac;

import org.jspecify.annotations.NullMarked;

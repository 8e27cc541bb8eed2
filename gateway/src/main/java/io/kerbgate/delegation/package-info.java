/**
 * Constrained delegation (S4U2Proxy): a Negotiate token to a Kerberized backend in the name of the user the gateway
 * authenticated, through the JDK's Kerberos and the gateway's own keytab login ({@link
 * io.kerbgate.delegation.ConstrainedDelegation}). Takes a settings record of its own and knows no HTTP: the proxy asks
 * it off the event loop and puts the token in the forwarded request.
 */
@NullMarked
package io.kerbgate.delegation;

import org.jspecify.annotations.NullMarked;

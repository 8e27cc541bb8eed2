/**
 * Operator diagnostics that run offline, outside the request path: {@link io.kerbgate.diagnostics.TokenInspector}
 * explains one {@code Negotiate} token (framing, mechs, ticket, and with the keytab the decrypted ticket, the
 * authenticator and the acceptor's verdict), and {@link io.kerbgate.diagnostics.Diagnosis} checks a node step by step
 * (config, keytab, keys, clock, DNS, krb5.conf and KDCs, and a real service ticket validated with the node's keytab).
 * Both reuse the acceptor's own parsers and checks with a throwaway replay cache, so a verdict here is the verdict
 * the gateway would give, and running them never consumes an authenticator on a live node.
 */
@NullMarked
package io.kerbgate.diagnostics;

import org.jspecify.annotations.NullMarked;

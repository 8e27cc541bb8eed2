/**
 * The one Kerberos initiator kerbgate has: the JDK's own ({@code Krb5LoginModule} and JGSS), logged in with a password,
 * a keytab or a ccache, making {@code Negotiate} tokens (SPNEGO or a bare krb5 token) and completing mutual
 * authentication with the acceptor's answer. The demo's client, the rollover tool's check and admin-API logins,
 * {@code diagnose}, the Active Directory adapter's LDAP bind and the tests all use it. The gateway's request path
 * uses it only for constrained delegation ({@code io.kerbgate.delegation}): a keytab login of its own, whose TGT asks
 * the KDC for tickets to a backend in the user's name; the gateway's own acceptor never imports it.
 */
package io.kerbgate.initiator;

/**
 * The one Kerberos initiator kerbgate has: the JDK's own ({@code Krb5LoginModule} and JGSS), logged in with a password,
 * a keytab or a ccache, making {@code Negotiate} tokens (SPNEGO or a bare krb5 token) and completing mutual
 * authentication with the acceptor's answer. The demo's client, the rollover tool's check and admin-API logins,
 * {@code diagnose}, the Active Directory adapter's LDAP bind and the tests all use it; the gateway's request path never
 * does (it accepts, it does not initiate).
 */
package io.kerbgate.initiator;

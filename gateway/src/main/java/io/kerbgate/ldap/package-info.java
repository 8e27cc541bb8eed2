/**
 * LDAP over TLS to a directory (a domain controller): the group-name lookup of the request path ({@code identity}) and
 * the Active Directory adapter of the rollover tool both open their connections here, so that both check the
 * server's certificate the same way (the configured CA or the JDK's trust store, and the server's name).
 */
package io.kerbgate.ldap;

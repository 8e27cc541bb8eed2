/**
 * The encrypted session cookie ({@code sessions.cookie}): {@link io.kerbgate.keys.CookieKeys} reads the key file,
 * {@link io.kerbgate.sessions.CookieKeyFile} keeps it current, and {@link io.kerbgate.sessions.SessionCookies} seals,
 * opens and strips the cookie.
 */
package io.kerbgate.sessions;

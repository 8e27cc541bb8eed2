/**
 * {@code Authorization: Basic} for clients outside the domain (issue #15): the user name and password become a
 * Kerberos AS exchange with the realm's KDC, then a service ticket for the array principal, which the node's own
 * acceptor must decrypt with its keytab, so that the identity always comes from a ticket under our key and a KDC that
 * says yes to any password cannot vouch for anyone. {@link io.kerbgate.basic.BasicAuthenticator} is the entry point;
 * it blocks on the KDC, so the proxy runs it off the event loops. Rate limits ({@link io.kerbgate.basic.RateLimiter}),
 * a short cache of outcomes keyed by a keyed hash of the password ({@link io.kerbgate.basic.LoginCache}) and one AS
 * exchange per attempt keep a client's bad password from locking its account out.
 */
package io.kerbgate.basic;

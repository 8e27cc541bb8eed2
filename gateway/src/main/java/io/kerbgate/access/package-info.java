/**
 * Access rules by route ({@code routes} in the configuration): which paths skip authentication, and which
 * authenticated principals may pass on which path and host. {@link io.kerbgate.access.AccessRules} is the entry point;
 * {@link io.kerbgate.access.RequestTarget} normalizes what a request names before it is matched.
 * {@link io.kerbgate.access.AccessDecision} is what becomes of a request (allowed, anonymous, refused by the acceptor
 * or by the gateway), {@link io.kerbgate.access.RequestReason} why the gateway refused one on its own.
 */
@NullMarked
package io.kerbgate.access;

import org.jspecify.annotations.NullMarked;

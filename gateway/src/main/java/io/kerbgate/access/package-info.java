/**
 * Access rules by route ({@code routes} in the configuration): which paths skip authentication, and which
 * authenticated principals may pass on which path and host. {@link io.kerbgate.access.AccessRules} is the entry point;
 * {@link io.kerbgate.access.RequestTarget} normalizes what a request names before it is matched.
 */
@NullMarked
package io.kerbgate.access;

import org.jspecify.annotations.NullMarked;

/**
 * How the authenticated identity reaches the backends: the gateway is the only source of the identity header, so
 * every client-supplied copy is removed before the gateway sets its own.
 */
@NullMarked
package io.kerbgate.identity;

import org.jspecify.annotations.NullMarked;

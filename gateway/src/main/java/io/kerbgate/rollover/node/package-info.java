/**
 * The rollover tool's ways to reach a node, each a {@link io.kerbgate.rollover.NodeTarget}: the keytab file it
 * watches ({@link io.kerbgate.rollover.node.KeytabFileNode}) or its admin API
 * ({@link io.kerbgate.rollover.node.AdminApiNode}, over {@code AdminTransport}'s TLS with an {@code AdminAuth});
 * {@link io.kerbgate.rollover.node.Nodes} turns the array file's nodes into targets.
 */
@NullMarked
package io.kerbgate.rollover.node;

import org.jspecify.annotations.NullMarked;

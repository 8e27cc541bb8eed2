/**
 * The rollover tool ({@code kerbgate keys}): rolls the array principal's shared key on every node and the KDC in
 * the order that never fails a request (DESIGN.md, "The rollover protocol"):
 *
 * <ol>
 *   <li><b>generate</b> kvno n+1 ({@link io.kerbgate.rollover.KeyGenerator}, with the KDC's salt);</li>
 *   <li><b>distribute</b> it to every node beside kvno n ({@link io.kerbgate.rollover.NodeTarget});</li>
 *   <li><b>verify</b> every node holds it; any failure stops the run here, with nothing committed;</li>
 *   <li><b>commit</b> it to the KDC ({@link io.kerbgate.rollover.KdcAdapter}) and read the kvno back;</li>
 *   <li><b>check</b> a fresh ticket from the KDC is accepted with every node's keys;</li>
 *   <li><b>retire</b> kvno n from the node keytabs once the grace period has passed (a later run).</li>
 * </ol>
 *
 * <p>Each run holds a lock beside the array file, records its steps in a journal beside it (never a secret) and
 * keeps the key being rolled in a pending keytab until it is committed and checked, so a run killed at any step is
 * finished by running it again, with exactly one commit. Each committed key joins a key archive beside the array
 * file ({@link io.kerbgate.rollover.KeyArchive}, a secret), from which {@code add-node} gives a new node the kvnos
 * still in grace.
 *
 * <p>The protocol speaks to the KDC and the nodes only through {@link io.kerbgate.rollover.KdcAdapter} and
 * {@link io.kerbgate.rollover.NodeTarget}; their implementations live one floor up, in {@code rollover.kdc} and
 * {@code rollover.node}, and the command line's wiring ({@code cli.KeysToolFactory}) picks them from the array file.
 * The array file's reader ({@code ArrayFile}, {@code ArrayConfig}, {@code AdKdcFile}) stays here for now: the
 * adapters are built from its records. It is bound as the gateway config is, and reads its durations in the one
 * grammar of {@link io.kerbgate.config.Durations}.
 */
@NullMarked
package io.kerbgate.rollover;

import org.jspecify.annotations.NullMarked;

/**
 * Operator-facing log output: the one structured line per refused request ({@link io.kerbgate.logging.RefusalLog})
 * and the choice of plain or JSON lines ({@link io.kerbgate.logging.LogFormat}, config {@code logging.format}).
 */
@NullMarked
package io.kerbgate.logging;

import org.jspecify.annotations.NullMarked;

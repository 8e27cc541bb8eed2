/** The {@code kerbgate} command line (picocli): {@code run}, {@code check-config}, {@code demo}. */
@NullMarked
package io.kerbgate.cli;

import org.jspecify.annotations.NullMarked;

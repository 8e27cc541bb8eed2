package io.kerbgate.rollover;

import java.util.Locale;

/** The steps of a roll, in their order (DESIGN.md, "The rollover protocol"); the order is the whole point. */
public enum Step {
    GENERATE, DISTRIBUTE, VERIFY, COMMIT, CHECK, RETIRE;

    /** The name in output lines and the journal: {@code distribute}. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

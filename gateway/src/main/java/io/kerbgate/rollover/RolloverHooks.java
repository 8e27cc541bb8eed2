package io.kerbgate.rollover;

/**
 * Points where tests stop a run as a crash would: a hook that throws leaves the journal, the pending keytab and the
 * nodes exactly as a killed process would, since nothing after it runs.
 */
interface RolloverHooks {

    RolloverHooks NONE = new RolloverHooks() {};

    /** Before the step's first action. */
    default void beforeStep(Step step) {}

    /** After the step's action on one node. */
    default void afterNode(Step step, String node) {}

    /** After the step is recorded in the journal. */
    default void afterStep(Step step) {}
}

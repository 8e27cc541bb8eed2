package io.kerbgate.acceptor;

/**
 * What the acceptor does with a ticket's PAC (MS-PAC; checklist item 23): {@code OFF} never reads it (no groups);
 * {@code VERIFY} checks a PAC when there is one and refuses the ticket when it fails ({@code pac_invalid}), tickets
 * without one pass with no groups; {@code REQUIRE} also refuses tickets without a PAC.
 */
public enum PacPolicy {
    OFF, VERIFY, REQUIRE
}

package io.kerbgate.basic;

import java.net.InetAddress;

/** One password login with the KDC, checked by the node's acceptor; blocks for the KDC's round trips. */
@FunctionalInterface
interface PasswordLogin {

    /**
     * Exactly one AS exchange for {@code principal}: a wrong password is not tried again.
     *
     * @param password the caller zeroes it afterwards
     * @param peer     the client, for the acceptor's checks and logs
     */
    Outcome login(String principal, char[] password, InetAddress peer);
}

/**
 * The SPNEGO acceptor: {@link io.kerbgate.acceptor.SpnegoAcceptor} turns an {@code Authorization: Negotiate} value
 * into an {@link io.kerbgate.acceptor.Acceptance}, validating the AP-REQ offline with the keytab's keys.
 * {@link io.kerbgate.acceptor.ApReqVerifier} runs the checks of {@code shared/ACCEPTOR-CHECKLIST.md} in one fixed
 * order, each failure with its own {@link io.kerbgate.acceptor.RejectReason}; {@code ApRepFactory} writes the AP-REP
 * of mutual authentication. No Netty here: the proxy calls in, per request.
 */
package io.kerbgate.acceptor;

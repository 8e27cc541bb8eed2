/**
 * The SPNEGO acceptor: {@link io.kerbgate.acceptor.SpnegoAcceptor} turns an {@code Authorization: Negotiate} value
 * into an {@link io.kerbgate.acceptor.Acceptance}, validating the AP-REQ offline with the keytab's keys. No Netty, no
 * HTTP status and no configuration here: the proxy calls in, per request, and maps the verdict to its answer.
 *
 * <p>Three layers, each stopping at its first failed check with a {@link io.kerbgate.acceptor.Refusal}:
 * <ol>
 * <li>the header and GSS framing, the layer gokrb5 calls {@code spnego/}: the {@code Authorization: Negotiate} header
 * (RFC 4559 §4, RFC 7235 §2.1, {@link io.kerbgate.acceptor.NegotiateHeader}), the RFC 2743 §3.1 token framing,
 * SPNEGO's NegTokenInit and NegTokenResp (RFC 4178 §4.2, with Microsoft's NegTokenInit2) and the krb5 token's TOK_ID
 * (RFC 4121 §4.1), read by {@link io.kerbgate.acceptor.NegotiationTokens}. Only a single leg is supported: Kerberos
 * must be the client's first mech and carry its token optimistically (checklist items 5–7);
 * <li>the AP-REQ: {@link io.kerbgate.acceptor.ApReqVerifier} runs the checks of {@code shared/ACCEPTOR-CHECKLIST.md}
 * in one fixed order, each failure with its own {@link io.kerbgate.acceptor.RejectReason};
 * <li>the answer: {@code ApRepFactory} writes the AP-REP of mutual authentication, and
 * {@link io.kerbgate.acceptor.NegotiationTokens#acceptCompleted} frames it.
 * </ol>
 */
package io.kerbgate.acceptor;

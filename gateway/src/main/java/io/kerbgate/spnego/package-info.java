/**
 * The HTTP and GSS framing around a Kerberos AP-REQ, the layer gokrb5 calls {@code spnego/}: the {@code
 * Authorization: Negotiate} header (RFC 4559 §4, RFC 7235 §2.1), the RFC 2743 §3.1 token framing, SPNEGO's
 * NegTokenInit and NegTokenResp (RFC 4178 §4.2, with Microsoft's NegTokenInit2) and the krb5 token's TOK_ID
 * (RFC 4121 §4.1).
 *
 * <p>Entry points: {@link io.kerbgate.spnego.NegotiateHeader#decode}, then {@link
 * io.kerbgate.spnego.NegotiationTokens#parseInitial}, which yields an {@link io.kerbgate.spnego.InitialToken} with
 * the AP-REQ for the verifier; {@link io.kerbgate.spnego.NegotiationTokens#acceptCompleted} and {@link
 * io.kerbgate.spnego.NegotiationTokens#reject} build the answer. Only a single leg is supported: Kerberos must be
 * the client's first mech and carry its token optimistically (checklist items 5–7). Nothing here knows about
 * Netty or keys, and every bad input ends as an {@link io.kerbgate.acceptor.Refusal}.
 */
package io.kerbgate.spnego;

/**
 * Strict DER (X.690 §10) reading and writing for the messages the acceptor parses and builds itself: SPNEGO
 * tokens (RFC 4178), GSS framing (RFC 2743 §3.1) and the Kerberos messages of RFC 4120 §5.
 *
 * <p>The reader refuses everything BER allows and DER does not (indefinite and non-minimal lengths, non-minimal
 * INTEGERs and OID subidentifiers, non-zero unused bits), bounds nesting, and never recurses on input, so a hostile
 * token costs neither stack nor more time than its length (checklist item 4). Failures are {@link
 * io.kerbgate.der.DerException}, a checked exception without a stack trace.
 */
package io.kerbgate.der;

package io.kerbgate.acceptor;

/**
 * What the acceptor learned from a token before its verdict, for the refusal log line and diagnostics.
 * Fields are {@code null} (or -1 for numbers) when the token did not get that far.
 *
 * @param mech      the mechanism OID the client offered first
 * @param sname     the ticket's cleartext service principal ({@code HTTP/host@REALM}); unauthenticated
 * @param kvno      the ticket's key version number, -1 when absent
 * @param enctype   the ticket's encryption type, -1 when unknown
 * @param client    the client principal, only once the ticket decrypted
 */
public record TokenFacts(String mech, String sname, int kvno, int enctype, String client) {
    public static final TokenFacts NONE = new TokenFacts(null, null, -1, -1, null);
}

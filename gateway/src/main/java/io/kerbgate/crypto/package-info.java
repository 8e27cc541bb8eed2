/**
 * Kerberos cryptography for the acceptor: the enctypes kerbgate supports ({@link io.kerbgate.crypto.Enctype}), keys
 * that cache their per-usage derived keys ({@link io.kerbgate.crypto.KerberosKey}), and the RFC 3961 operations
 * ({@link io.kerbgate.crypto.KerberosCrypto}).
 *
 * <p>Supported: aes128/aes256-cts-hmac-sha1-96 (RFC 3962), aes128-cts-hmac-sha256-128 and
 * aes256-cts-hmac-sha384-192 (RFC 8009, absent from Kerby 2.1), and rc4-hmac (RFC 4757) for operators who must enable
 * it. DES and 3DES cannot be represented. Everything runs on the JCA so that the per-request path derives no keys;
 * Kerby supplies only MD4 for RC4 string-to-key, and serves as a cross-check in the tests.
 *
 * <p>Failure contract: {@code decrypt} throws only {@link io.kerbgate.crypto.IntegrityException} for any ciphertext,
 * and {@code verifyChecksum} only returns false.
 */
package io.kerbgate.crypto;

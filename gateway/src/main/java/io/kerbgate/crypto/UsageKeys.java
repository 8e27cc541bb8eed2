package io.kerbgate.crypto;

import javax.crypto.SecretKey;

/**
 * The keys one key usage needs, ready for {@code Cipher.init}/{@code Mac.init}. For the RFC 3961 simplified profile
 * and RFC 8009 these are Ke, Ki and Kc; for RC4-HMAC (RFC 4757 §4) encryption and integrity are both K1 and checksum is
 * Ksign, the usage-independent signing key.
 */
record UsageKeys(SecretKey encryption, SecretKey integrity, SecretKey checksum) {
}

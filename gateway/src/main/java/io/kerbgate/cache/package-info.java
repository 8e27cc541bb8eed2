/**
 * The ticket cache: decrypted tickets kept so that a client reusing its service ticket costs one authenticator
 * decryption instead of two. A hit needs the exact ticket ciphertext, the key is looked up before the cache (a retired
 * kvno is refused even before its entries are evicted), and nothing in the cache lets a request skip the
 * authenticator, skew or replay checks.
 */
package io.kerbgate.cache;

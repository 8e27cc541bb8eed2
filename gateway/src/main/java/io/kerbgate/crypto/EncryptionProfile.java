package io.kerbgate.crypto;

/**
 * One family of enctypes: how per-usage keys are derived, how a message is sealed and opened, its keyed checksum, and
 * string-to-key. Implementations are stateless singletons; all key material arrives as arguments.
 */
interface EncryptionProfile {

    /** Derives the keys for one key usage; {@link KerberosKey} caches the result, so this runs once per usage. */
    UsageKeys deriveUsageKeys(byte[] baseKey, int usage);

    /** Length of the random confounder prepended to the plaintext. */
    int confounderLength();

    /** The shortest ciphertext that can be well-formed: confounder plus MAC (the confounder is a full cipher block). */
    int minCiphertextLength();

    byte[] encrypt(UsageKeys keys, byte[] confounder, byte[] plaintext);

    /** Opens a ciphertext of at least {@link #minCiphertextLength()} bytes; the caller has checked the length. */
    byte[] decrypt(UsageKeys keys, byte[] ciphertext) throws IntegrityException;

    /** The keyed checksum type that goes with this enctype (RFC 3961 §4 "required checksum mechanism"). */
    int checksumType();

    /** The keyed checksum of {@code data}; {@code usage} matters only where the profile mixes it in (RC4). */
    byte[] checksum(UsageKeys keys, int usage, byte[] data);

    /** String-to-key with the profile's default parameters. */
    byte[] stringToKey(char[] password, String salt);
}

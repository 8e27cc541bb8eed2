package io.kerbgate.crypto;

import java.util.Locale;
import java.util.Map;

/**
 * The Kerberos encryption types kerbgate can use (RFC 3961 §8 registry numbers, MIT names).
 *
 * <p>DES and 3DES are deliberately not members: they are never supported (RFC 6649, RFC 8429), so no code path can
 * hold a key of those types. {@link #describe(int)} still names them, for logs that must say why a ticket was refused.
 */
public enum Enctype {
    AES128_CTS_HMAC_SHA1_96(17, "aes128-cts-hmac-sha1-96", 16, false, AesSha1Profile.AES128),
    AES256_CTS_HMAC_SHA1_96(18, "aes256-cts-hmac-sha1-96", 32, false, AesSha1Profile.AES256),
    AES128_CTS_HMAC_SHA256_128(19, "aes128-cts-hmac-sha256-128", 16, false, AesSha2Profile.AES128),
    AES256_CTS_HMAC_SHA384_192(20, "aes256-cts-hmac-sha384-192", 32, false, AesSha2Profile.AES256),
    /** RFC 4757; deprecated by RFC 8429, so the acceptor accepts it only when the operator enables it. */
    RC4_HMAC(23, "rc4-hmac", 16, true, Rc4HmacProfile.INSTANCE);

    /** MIT krb5 aliases (lib/crypto/krb/etypes.c); matched case-insensitively like MIT's krb5_string_to_enctype. */
    private static final Map<String, Enctype> ALIASES = Map.of(
            "aes128-cts", AES128_CTS_HMAC_SHA1_96,
            "aes128-sha1", AES128_CTS_HMAC_SHA1_96,
            "aes256-cts", AES256_CTS_HMAC_SHA1_96,
            "aes256-sha1", AES256_CTS_HMAC_SHA1_96,
            "aes128-sha2", AES128_CTS_HMAC_SHA256_128,
            "aes256-sha2", AES256_CTS_HMAC_SHA384_192,
            "arcfour-hmac", RC4_HMAC,
            "arcfour-hmac-md5", RC4_HMAC);

    /** Registry entries that are not members, named so that a refusal in the log is self-explanatory. */
    private static final Map<Integer, String> UNSUPPORTED = Map.ofEntries(
            Map.entry(1, "des-cbc-crc (DES, never supported)"),
            Map.entry(2, "des-cbc-md4 (DES, never supported)"),
            Map.entry(3, "des-cbc-md5 (DES, never supported)"),
            Map.entry(5, "des3-cbc-md5 (3DES, never supported)"),
            Map.entry(7, "des3-cbc-sha1 (3DES, never supported)"),
            Map.entry(16, "des3-cbc-sha1 (3DES, never supported)"),
            Map.entry(24, "rc4-hmac-exp (export-grade RC4, never supported)"),
            Map.entry(25, "camellia128-cts-cmac (not supported)"),
            Map.entry(26, "camellia256-cts-cmac (not supported)"));

    private final int id;
    private final String kerberosName;
    private final int keyLength;
    private final boolean weak;
    private final EncryptionProfile profile;

    Enctype(int id, String kerberosName, int keyLength, boolean weak, EncryptionProfile profile) {
        this.id = id;
        this.kerberosName = kerberosName;
        this.keyLength = keyLength;
        this.weak = weak;
        this.profile = profile;
    }

    /** The registry number carried in EncryptedData.etype and keytab entries. */
    public int id() {
        return id;
    }

    /** The MIT name, e.g. {@code aes256-cts-hmac-sha1-96}. */
    public String kerberosName() {
        return kerberosName;
    }

    /** Key length in bytes. */
    public int keyLength() {
        return keyLength;
    }

    /** True for enctypes that are accepted only when the operator explicitly enables them. */
    public boolean weak() {
        return weak;
    }

    EncryptionProfile profile() {
        return profile;
    }

    /** Returns the enctype with this registry number, or {@code null} when it is unknown or never supported. */
    public static Enctype fromId(int id) {
        for (Enctype e : values()) {
            if (e.id == id) {
                return e;
            }
        }
        return null;
    }

    /** Returns the enctype with this MIT name or alias (case-insensitive), or {@code null} when unknown. */
    public static Enctype fromName(String name) {
        if (name == null) {
            return null;
        }
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (Enctype e : values()) {
            if (e.kerberosName.equals(lower)) {
                return e;
            }
        }
        return ALIASES.get(lower);
    }

    /** A human name for any registry number, supported or not: {@code 23 -> "rc4-hmac"}, {@code 99 -> "enctype 99"}. */
    public static String describe(int id) {
        Enctype e = fromId(id);
        if (e != null) {
            return e.kerberosName;
        }
        return UNSUPPORTED.getOrDefault(id, "enctype " + id);
    }
}

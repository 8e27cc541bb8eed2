package io.kerbgate.testing;

import java.util.Arrays;

/**
 * The AES enctypes kerbgate accepts (ACCEPTOR-CHECKLIST §4.11), by RFC 3961 number and by the name MIT krb5, the JDK and
 * krb5.conf use.
 */
enum Enctype {
    AES128_CTS_HMAC_SHA1_96(17, "aes128-cts-hmac-sha1-96"),
    AES256_CTS_HMAC_SHA1_96(18, "aes256-cts-hmac-sha1-96"),
    AES128_CTS_HMAC_SHA256_128(19, "aes128-cts-hmac-sha256-128"),
    AES256_CTS_HMAC_SHA384_192(20, "aes256-cts-hmac-sha384-192");

    private final int number;
    private final String krb5Name;

    Enctype(int number, String krb5Name) {
        this.number = number;
        this.krb5Name = krb5Name;
    }

    /** @throws IllegalArgumentException for any number outside 17..20 */
    static Enctype of(int number) {
        return Arrays.stream(values())
                .filter(e -> e.number == number)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("enctype " + number + " is not one of 17, 18, 19, 20"));
    }

    /** The names of {@code numbers}, in order, space-separated as krb5.conf lists them. */
    static String krb5Names(int... numbers) {
        return Arrays.stream(numbers).mapToObj(n -> of(n).krb5Name).reduce((a, b) -> a + " " + b).orElseThrow(
                () -> new IllegalArgumentException("at least one enctype is needed"));
    }
}

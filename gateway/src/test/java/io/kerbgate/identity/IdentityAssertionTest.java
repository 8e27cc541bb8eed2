package io.kerbgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.config.GatewayConfig.AssertionType;
import io.kerbgate.testing.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The assertions verify with the key, and fail with another key, after tampering and once expired: checked with the
 * verifiers that {@code docs/tls-and-identity.md} gives backend teams (the Java one below is the doc's, word for word;
 * the Python one is run from the doc with {@code /usr/bin/python3}).
 */
final class IdentityAssertionTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "0123456789abcdef0123456789abcdeF".getBytes(StandardCharsets.US_ASCII);
    private static final Path DOC = docs().resolve("tls-and-identity.md");

    private static IdentityAssertion assertion(AssertionType type, Instant now) {
        return IdentityAssertion.of(type, KEY, Clock.fixed(now, ZoneOffset.UTC));
    }

    // snippet:start
    /** The identity in an X-Kerbgate-Assertion of type hmac; throws SecurityException if it is not valid. */
    static String verifyKerbgateHmac(String value, byte[] key, long maxAgeSeconds) throws GeneralSecurityException {
        int cut = value.lastIndexOf(';');
        String signed = value.substring(0, Math.max(cut, 0));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] expected = mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        byte[] actual = Base64.getUrlDecoder().decode(value.substring(cut + 1));
        if (cut < 0 || !MessageDigest.isEqual(expected, actual) || !signed.startsWith("v1;")) {
            throw new SecurityException("bad assertion signature");
        }
        int id = signed.lastIndexOf(';');
        int issued = signed.lastIndexOf(';', id - 1);
        long age = Instant.now().getEpochSecond() - Long.parseLong(signed.substring(issued + 1, id));
        if (Math.abs(age) > maxAgeSeconds) {
            throw new SecurityException("assertion expired");
        }
        return signed.substring(3, issued);
    }
    // snippet:end

    @Test
    void hmac_format() {
        String value = assertion(AssertionType.HMAC, Instant.ofEpochSecond(1_764_057_600)).create("alice@EXAMPLE.COM");

        assertTrue(value.matches("v1;alice@EXAMPLE\\.COM;1764057600;[0-9a-f]{32};[A-Za-z0-9_-]{43}"), value);
    }

    @Test
    void hmac_verifiesWithTheKey_andFailsWithAnotherKey_afterTampering_andWhenExpired() throws Exception {
        Instant now = Instant.now();
        String value = assertion(AssertionType.HMAC, now).create("alice@EXAMPLE.COM");

        assertEquals("alice@EXAMPLE.COM", verifyKerbgateHmac(value, KEY, 60));
        assertThrows(SecurityException.class, () -> verifyKerbgateHmac(value, OTHER_KEY, 60));
        assertThrows(SecurityException.class,
                () -> verifyKerbgateHmac(value.replace("alice@", "admin@"), KEY, 60));
        String old = assertion(AssertionType.HMAC, now.minusSeconds(61)).create("alice@EXAMPLE.COM");
        SecurityException expired = assertThrows(SecurityException.class, () -> verifyKerbgateHmac(old, KEY, 60));
        assertEquals("assertion expired", expired.getMessage());
    }

    @Test
    void hmac_identityWithSemicolons_splitsFromTheRight() throws Exception {
        String value = assertion(AssertionType.HMAC, Instant.now()).create("odd;name;1;2@EXAMPLE.COM");

        assertEquals("odd;name;1;2@EXAMPLE.COM", verifyKerbgateHmac(value, KEY, 60));
    }

    @Test
    void everyAssertion_hasItsOwnRequestId() {
        IdentityAssertion a = assertion(AssertionType.HMAC, Instant.now());

        assertNotEquals(a.create("alice@EXAMPLE.COM").split(";")[3], a.create("alice@EXAMPLE.COM").split(";")[3]);
    }

    @Test
    void jwt_headerAndClaims() {
        String token = assertion(AssertionType.JWT, Instant.ofEpochSecond(1_764_057_600)).create("al\"ice@EXAMPLE.COM");
        String[] parts = token.split("\\.");
        Base64.Decoder b64 = Base64.getUrlDecoder();

        assertEquals(3, parts.length, token);
        assertEquals("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", new String(b64.decode(parts[0]), StandardCharsets.UTF_8));
        String claims = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(claims.matches("\\{\"iss\":\"kerbgate\",\"sub\":\"al\\\\\"ice@EXAMPLE\\.COM\",\"iat\":1764057600,"
                + "\"exp\":1764057660,\"jti\":\"[0-9a-f]{32}\"}"), claims);
    }

    @Test
    void jsonString_escapesQuotesBackslashesAndControls() {
        assertEquals("\"a\\\"b\\\\c\\u000ad\u00e9\"", IdentityAssertion.jsonString("a\"b\\c\nd\u00e9"));
    }

    @Test
    void keyShorterThan32Bytes_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdentityAssertion.of(AssertionType.HMAC, new byte[31], Clock.systemUTC()));
        assertTrue(e.getMessage().startsWith("identity.assertion.key_file: the key has 31 bytes"), e.getMessage());
    }

    @Test
    void theJavaVerifierAboveIsTheDocumentedOne() throws Exception {
        String source = Files.readString(Path.of("src/test/java/io/kerbgate/identity/IdentityAssertionTest.java"));
        Matcher m = Pattern.compile("(?s)// snippet:start\n(.*?)\n\\s*// snippet:end").matcher(source);
        assertTrue(m.find());
        String snippet = m.group(1).lines().map(l -> l.startsWith("    ") ? l.substring(4) : l)
                .reduce((a, b) -> a + "\n" + b).orElseThrow();

        assertTrue(Files.readString(DOC).contains(snippet), "docs/tls-and-identity.md has another Java verifier");
    }

    @Test
    void theDocumentedPythonVerifiers_acceptGoodAssertionsAndRefuseBadOnes() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
        Matcher m = Pattern.compile("(?s)```python\n(.*?)```").matcher(Files.readString(DOC));
        assertTrue(m.find(), "no python block in the doc");
        Instant now = Instant.now();
        String hmac = assertion(AssertionType.HMAC, now).create("alice@EXAMPLE.COM");
        String jwt = assertion(AssertionType.JWT, now).create("alice@EXAMPLE.COM");
        String oldJwt = assertion(AssertionType.JWT, now.minus(Duration.ofSeconds(70))).create("alice@EXAMPLE.COM");
        String oldHmac = assertion(AssertionType.HMAC, now.minus(Duration.ofSeconds(70))).create("alice@EXAMPLE.COM");
        String tamperedJwt = jwt.substring(0, jwt.indexOf('.') + 1)
                + Base64.getUrlEncoder().withoutPadding().encodeToString(new String(Base64.getUrlDecoder()
                .decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8).replace("alice", "admin")
                .getBytes(StandardCharsets.UTF_8)) + jwt.substring(jwt.lastIndexOf('.'));
        List<String> cases = new ArrayList<>();
        cases.add("hmac " + hex(KEY) + " " + hmac);
        cases.add("hmac " + hex(OTHER_KEY) + " " + hmac);
        cases.add("hmac " + hex(KEY) + " " + hmac.replace("alice@", "admin@"));
        cases.add("hmac " + hex(KEY) + " " + oldHmac);
        cases.add("jwt " + hex(KEY) + " " + jwt);
        cases.add("jwt " + hex(OTHER_KEY) + " " + jwt);
        cases.add("jwt " + hex(KEY) + " " + tamperedJwt);
        cases.add("jwt " + hex(KEY) + " " + oldJwt);
        String driver = m.group(1) + """

                import sys
                for line in sys.stdin:
                    kind, key, value = line.split()
                    verify = verify_kerbgate_hmac if kind == "hmac" else verify_kerbgate_jwt
                    try:
                        print("ok " + verify(value, bytes.fromhex(key)))
                    except ValueError as e:
                        print("refused " + str(e))
                """;

        String out = Processes.command("/usr/bin/python3", "-c", driver).stdin(String.join("\n", cases) + "\n")
                .timeout(Duration.ofSeconds(20)).run().stdout();

        assertEquals(List.of("ok alice@EXAMPLE.COM", "refused bad signature", "refused bad signature",
                "refused expired or unknown version", "ok alice@EXAMPLE.COM", "refused bad signature",
                "refused bad signature", "refused expired or not from kerbgate"), out.lines().toList());
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    // Surefire runs in the module directory; docs/ is at the repository root.
    private static Path docs() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs"))) {
                return dir.resolve("docs");
            }
        }
        throw new AssertionError("docs/ not found above " + Path.of("").toAbsolutePath());
    }
}

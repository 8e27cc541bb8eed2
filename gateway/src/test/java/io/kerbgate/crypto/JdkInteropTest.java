package io.kerbgate.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Interoperability with the JDK's Kerberos implementation, for all five enctypes in both directions. The JDK
 * implements RFC 8009 independently of the RFC vectors we transcribed, so this is the second oracle for 19 and 20.
 * It runs {@link JdkKerberosOracle} in a child JVM with the needed {@code --add-exports}; on a JDK without
 * {@code sun.security.krb5} the test is skipped.
 */
final class JdkInteropTest {
    private static final int ROUNDS = 60;

    @TempDir
    static Path tempDir;

    private static Process oracle;
    private static PrintStream requests;
    private static BufferedReader answers;

    @BeforeAll
    static void startOracle() throws IOException {
        // Isolates the child from /etc/krb5.conf; rc4-hmac is disabled by default since JDK 17 and must be allowed.
        Path krb5conf = tempDir.resolve("krb5.conf");
        Files.writeString(krb5conf, "[libdefaults]\n allow_weak_crypto = true\n");
        String classes = Paths.get(codeSource()).toString();
        oracle = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                "-Djava.security.krb5.conf=" + krb5conf,
                "-cp", classes, JdkKerberosOracle.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        requests = new PrintStream(oracle.getOutputStream(), true, StandardCharsets.US_ASCII);
        answers = new BufferedReader(new InputStreamReader(oracle.getInputStream(), StandardCharsets.US_ASCII));
        Assumptions.assumeTrue("ready".equals(answers.readLine()), "JDK Kerberos internals are not available");
    }

    @AfterAll
    static void stopOracle() throws InterruptedException {
        if (oracle != null) {
            requests.close();
            if (!oracle.waitFor(10, TimeUnit.SECONDS)) {
                oracle.destroyForcibly();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void encryptWithOurs_decryptWithJdk_andBack(Enctype enctype) throws Exception {
        Random random = new Random(enctype.id() * 31L);
        for (int i = 0; i < ROUNDS; i++) {
            KerberosKey key = KerberosCrypto.randomKey(enctype);
            int usage = 1 + random.nextInt(40);
            byte[] plaintext = new byte[random.nextInt(101)];
            random.nextBytes(plaintext);
            String context = enctype + " usage " + usage + " length " + plaintext.length;

            byte[] ours = KerberosCrypto.encrypt(key, usage, plaintext);
            assertArrayEquals(plaintext, ask("dec", enctype.id(), usage, key.bytes(), ours), context);

            byte[] theirs = ask("enc", enctype.id(), usage, key.bytes(), plaintext);
            assertArrayEquals(plaintext, KerberosCrypto.decrypt(key, usage, theirs), context);
        }
    }

    /** The JDK, like this package, follows the RFC 4757 §3 table (usage 9 -> T = 8) where Kerby and MIT do not. */
    @Test
    void rc4Usage9_agreesWithJdk() throws Exception {
        KerberosKey key = KerberosCrypto.randomKey(Enctype.RC4_HMAC);
        byte[] plaintext = "TGS-REP under a subkey".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(plaintext, KerberosCrypto.decrypt(key, 9, ask("enc", 23, 9, key.bytes(), plaintext)));
        assertArrayEquals(plaintext, ask("dec", 23, 9, key.bytes(), KerberosCrypto.encrypt(key, 9, plaintext)));
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void checksum_matchesJdk(Enctype enctype) throws IOException {
        int cksumType = KerberosCrypto.checksumTypeFor(enctype);
        Random random = new Random(enctype.id() * 37L);
        for (int i = 0; i < ROUNDS; i++) {
            KerberosKey key = KerberosCrypto.randomKey(enctype);
            int usage = 1 + random.nextInt(40);
            byte[] data = new byte[random.nextInt(101)];
            random.nextBytes(data);
            assertArrayEquals(ask("cksum", cksumType, usage, enctype.id(), Hex.string(key.bytes()), Hex.string(data)),
                    KerberosCrypto.checksum(key, usage, cksumType, data), enctype + " usage " + usage);
        }
    }

    @ParameterizedTest
    @EnumSource(Enctype.class)
    void stringToKey_matchesJdk(Enctype enctype) throws IOException {
        String password = "Pässwörd 1";
        String salt = "EXAMPLE.COMHTTPgateway.example.com";
        assertArrayEquals(ask("s2k", enctype.kerberosName(), Hex.string(password.getBytes(StandardCharsets.UTF_8)),
                        Hex.string(salt.getBytes(StandardCharsets.UTF_8))),
                KerberosCrypto.stringToKey(enctype, password.toCharArray(), salt).bytes());
    }

    private static byte[] ask(String op, int etype, int usage, byte[] key, byte[] data) throws IOException {
        return ask(op, etype, usage, Hex.string(key), Hex.string(data));
    }

    private static byte[] ask(Object... words) throws IOException {
        StringBuilder line = new StringBuilder();
        for (Object word : words) {
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        requests.println(line);
        String answer = answers.readLine();
        List<String> parts = List.of(answer.split(" ", 2));
        assertEquals("ok", parts.get(0), () -> line + " -> " + answer);
        return Hex.bytes(parts.size() > 1 ? parts.get(1) : "");
    }

    private static java.net.URI codeSource() {
        try {
            return JdkKerberosOracle.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

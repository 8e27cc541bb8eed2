package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.testing.SecretFile;
import io.kerbgate.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One rule for every secret file the config names: nobody but its owner and group may read it, nobody but its owner
 * may change it. Each key is tried with each mode; the refusal names the key, the mode and the chmod that fixes it.
 */
final class SecretFilesConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void writeFiles() throws IOException {
        ConfigFixture.writeKeytab(dir);
        SecretFile.chmod600(dir.resolve("http.keytab"));
        SecretFile.write(dir.resolve("assertion.key"), new byte[32]);
        SecretFile.writeString(dir.resolve("session.key"), "ab".repeat(32) + "\n");
        SecretFile.writeString(dir.resolve("redis.password"), "s3cret\n");
        SecretFile.writeString(dir.resolve("ldap.password"), "s3cret\n");
        TestCertificates.Pair tls = TestCertificates.ca(dir, "Secret Files CA").issue("front", 1, "DNS:localhost");
        Files.move(tls.cert(), dir.resolve("front.pem"));
        Files.move(tls.key(), dir.resolve("front.key"));
    }

    private static final String ALL = """
            identity:
              assertion: {type: hmac, key_file: assertion.key}
              group_names: {ldap: ldaps://dc.example.test, bind: {dn: svc@example.test, password_file: ldap.password}, base_dn: "DC=example,DC=test"}
            acceptor: {pac: verify}
            sessions:
              cookie: {key_file: session.key}
            replay:
              shared: {uri: "redis://127.0.0.1:6379/0", password_file: redis.password}
            tls: {cert: front.pem, key: front.key}
            """;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "keytab,                          http.keytab,    rw-r--r--, readable by every user",
        "keytab,                          http.keytab,    rw----r--, readable by every user",
        "keytab,                          http.keytab,    rw-----w-, writable by every user",
        "keytab,                          http.keytab,    rw-rw----, writable by its group",
        "identity.assertion.key_file,     assertion.key,  rw-r--r--, readable by every user",
        "identity.group_names.bind.password_file, ldap.password, rw-r--r--, readable by every user",
        "sessions.cookie.key_file,        session.key,    rw-rw----, writable by its group",
        "replay.shared.password_file,     redis.password, rw-r--r--, readable by every user",
        "tls.key,                         front.key,      rw-r--r--, readable by every user",
    })
    void exposedSecretFile_failsTheStart_namingTheKeyAndTheFix(String key, String file, String mode, String who)
            throws IOException {
        Path path = dir.resolve(file);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));

        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED + ALL, dir);

        assertEquals(key, e.key());
        assertTrue(e.problem().endsWith(who), e.problem());
        assertTrue(e.problem().startsWith(path + " is mode 0"), e.problem());
        assertEquals("chmod 600 " + path + " (owned by the user that runs kerbgate), or chown root:kerbgate " + path
                + " && chmod 640 " + path, e.fix());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"rw-------", "r--------", "rw-r-----", "r--r-----"})
    void ownerAndGroupReadable_pass(String mode) throws Exception {
        for (String file : new String[] {"http.keytab", "assertion.key", "session.key", "redis.password",
                "ldap.password", "front.key"}) {
            Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString(mode));
        }
        ConfigFixture.parse(ConfigFixture.REQUIRED + ALL, dir);
    }
}

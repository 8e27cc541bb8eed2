package io.kerbgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.SecretFile;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check-config and run refuse a delegation whose keytab cannot log its principal in, before any KDC is asked. */
final class PreflightDelegationTest {

    private static final String ARRAY = "HTTP/array.example.test@EXAMPLE.TEST";

    @TempDir
    Path dir;

    private String config(String delegation) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        SecretFile.write(dir.resolve("http.keytab"), KeytabFile.write(List.of(new KeytabEntry(ARRAY, 1, 0, 2, 18,
                key))));
        SecretFile.write(dir.resolve("other.keytab"), KeytabFile.write(List.of(new KeytabEntry(
                "HTTP/other.example.test@EXAMPLE.TEST", 1, 0, 2, 18, key))));
        return """
                listen: 127.0.0.1:0
                keytab: http.keytab
                principals: [%s]
                backends: [http://127.0.0.1:9001]
                admin: {listen: 127.0.0.1:0}
                %s
                """.formatted(ARRAY, delegation);
    }

    @Test
    void aKeytabWithThePrincipalsKey_passes() throws Exception {
        Preflight.check(ConfigLoader.parse(config("delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST}"),
                dir));
    }

    @Test
    void aKeytabWithoutThePrincipalsKey_namesDelegationPrincipal() throws Exception {
        var loaded = ConfigLoader.parse(config("delegation: {spn: HTTP/backend.example.test@EXAMPLE.TEST,"
                + " keytab: other.keytab}"), dir);

        ConfigException e = assertThrows(ConfigException.class, () -> Preflight.check(loaded));

        assertEquals("delegation.principal", e.key());
        assertTrue(e.problem().contains("no key in"), e.problem());
    }
}

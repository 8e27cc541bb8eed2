package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.ConfigException;
import io.kerbgate.config.Durations;
import io.kerbgate.crypto.Enctype;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ArrayFileTest {

    private static final String GOOD = """
            principal: HTTP/array.example.test@ARRAY.TEST
            enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, aes256-cts-hmac-sha384-192]
            kdc: {type: mit, kadmin: local}
            nodes:
              - {name: node1, keytab: /srv/node1/http.keytab}
              - {name: node2, admin: "https://node2.example.test:9090"}
            grace: 10h5m
            """;

    @TempDir
    Path dir;

    @Test
    void theBriefsExample_reads() throws Exception {
        ArrayConfig array = ArrayFile.load(Files.writeString(dir.resolve("array.yaml"), GOOD));
        assertEquals("ARRAY.TEST", array.realm());
        assertEquals(List.of(Enctype.AES256_CTS_HMAC_SHA1_96, Enctype.AES128_CTS_HMAC_SHA1_96,
                Enctype.AES256_CTS_HMAC_SHA384_192), array.enctypes());
        assertEquals(Duration.ofHours(10).plusMinutes(5), array.grace());
        assertEquals(URI.create("https://node2.example.test:9090"), array.node("node2").orElseThrow().admin());
        assertEquals(dir.resolve("array.yaml.journal.json"), array.besideFile("journal.json"));
    }

    @Test
    void theShippedExample_reads() throws Exception {
        Path example = Path.of("..", "conf", "array.yaml");
        ArrayConfig array = ArrayFile.load(example);
        assertEquals("HTTP/array.example.test@ARRAY.TEST", array.principal());
        assertTrue(array.check() != null && array.nodes().size() >= 2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "nodes:|nodes:\\n  - {name: node0, keytabb: /x}|nodes[0].keytabb",
        "kdc: {type: mit, kadmin: local}|kdc: {type: mit, kadmin: local, passwd: x}|kdc.passwd",
        "grace: 10h5m|grace: 10h5m\\nschedule: 30d|schedule",
        "grace: 10h5m|grace: ten hours|grace",
        "aes256-cts-hmac-sha384-192]|rc4-hmac]|enctypes[2]",
        "kdc: {type: mit, kadmin: local}|kdc: {type: mit, kadmin: remote}|kdc.admin_principal",
        "{name: node1, keytab: /srv/node1/http.keytab}|{name: node2, keytab: /a}|nodes[1].name"})
    void aMistake_isAnErrorNamingItsKeyPath(String replace, String with, String key) throws Exception {
        String yaml = GOOD.replace(replace, with.replace("\\n", "\n"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ArrayFile.load(Files.writeString(dir.resolve("array.yaml"), yaml)));
        assertEquals(key, e.key(), e.getMessage());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofHours(10).plusMinutes(5), Durations.parse("10h5m"));
        assertEquals(Duration.ofDays(30), Durations.parse("30d"));
        assertEquals("10h5m", Durations.format(Duration.ofMinutes(605)));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 minutes"));
    }
}

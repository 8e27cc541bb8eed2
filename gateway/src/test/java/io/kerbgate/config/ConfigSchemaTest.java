package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps {@code conf/kerbgate.schema.json} equal to the schema the records generate ({@link ConfigSchema}), and the
 * example configs valid against it. After a change of the records, write it anew with
 * {@code mvn -pl gateway test -Dtest=ConfigSchemaTest -Dkerbgate.schema.write=true}.
 */
final class ConfigSchemaTest {

    private static final Path SCHEMA = Path.of("..", "conf", "kerbgate.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Test
    void committedSchema_isTheGeneratedOne() throws IOException {
        String generated = JSON.writeValueAsString(ConfigSchema.generate()) + "\n";
        if (Boolean.getBoolean("kerbgate.schema.write")) {
            Files.writeString(SCHEMA, generated);
        }
        assertEquals(generated, Files.readString(SCHEMA), "conf/kerbgate.schema.json is stale: run mvn -pl gateway"
                + " test -Dtest=ConfigSchemaTest -Dkerbgate.schema.write=true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kerbgate.yaml", "kerbgate-production.yaml"})
    void exampleConfig_isValid(String name) throws IOException {
        List<Error> errors = schema().validate(Files.readString(SCHEMA.resolveSibling(name)), InputFormat.YAML);

        assertEquals(List.of(), errors.stream().map(Error::toString).toList());
    }

    @Test
    void unknownKeysAndWrongKinds_areInvalid() throws IOException {
        assertFalse(schema().validate("listen: 127.0.0.1:8080\nlisten_port: 8080\n", InputFormat.YAML).isEmpty());
        assertFalse(schema().validate("timeouts: {connect: 5 minutes}\n", InputFormat.YAML).isEmpty());
        assertFalse(schema().validate("retries: {idempotent: 9}\n", InputFormat.YAML).isEmpty());
        assertTrue(schema().validate("backends: [http://a:1, {url: http://b:2, weight: 3}]\n", InputFormat.YAML)
                .isEmpty());
    }

    private static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(Files.readString(SCHEMA), InputFormat.JSON);
    }

    @Test
    void exampleConfig_pointsEditorsAtTheSchema() throws IOException {
        assertTrue(Files.readString(SCHEMA.resolveSibling("kerbgate.yaml"))
                .startsWith("# yaml-language-server: $schema=kerbgate.schema.json\n"));
    }
}

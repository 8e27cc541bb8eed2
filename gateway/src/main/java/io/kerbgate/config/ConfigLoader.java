package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the YAML configuration into a validated {@link GatewayConfig}: the file is bound by Jackson to
 * {@link ConfigFile} and its section records, which check themselves, so that every error names its full key path;
 * unknown keys and duplicate keys are errors, never ignored ({@link ConfigErrors}). The example
 * {@code conf/kerbgate.yaml} lists every key with its default; {@code conf/kerbgate.schema.json} describes them for
 * editors.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /**
     * Loads and validates a config file; a relative {@code keytab} resolves against the file's directory.
     *
     * @throws ConfigException naming the key at fault, or {@code ""} when the file itself cannot be read
     */
    public static GatewayConfig load(Path file) throws ConfigException {
        String fix = "pass --config with the path of the config file (conf/kerbgate.yaml is an example)";
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("", file + " does not exist", fix);
        } catch (AccessDeniedException e) {
            throw new ConfigException("", file + " is not readable", "let the user that runs kerbgate read it");
        } catch (MalformedInputException e) {
            throw new ConfigException("", file + " is not UTF-8 text", "save the file as UTF-8");
        } catch (IOException e) {
            throw new ConfigException("", file + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
        return parse(yaml, file.toAbsolutePath().getParent());
    }

    /**
     * Parses and validates YAML text.
     *
     * @param baseDir the directory that a relative {@code keytab} path resolves against
     */
    public static GatewayConfig parse(String yaml, Path baseDir) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(baseDir, "baseDir");
        return SectionBinder.bind(readDocument(yaml), ConfigFile.class, "", baseDir).gatewayConfig();
    }

    private static JsonNode readDocument(String yaml) throws ConfigException {
        // A parser rather than readValues(): that one would iterate the items of a top-level list as documents.
        try (JsonParser parser = SectionBinder.MAPPER.createParser(yaml)) {
            JsonNode first = SectionBinder.MAPPER.readTree(parser);
            if (first == null || first.isNull() || first.isMissingNode()) {
                throw new ConfigException("", "the file is empty", "start from the example conf/kerbgate.yaml");
            }
            if (parser.nextToken() != null) {
                throw new ConfigException("", "the file holds more than one YAML document",
                        "remove the '---' separators and keep one document");
            }
            return first;
        } catch (StreamReadException e) {
            throw ConfigErrors.syntaxError(e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("", "the file is not valid YAML (" + ConfigErrors.firstLine(e.getOriginalMessage()) + ")",
                    "check the YAML syntax", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from a string", e);
        }
    }

    /**
     * The effective config as the tree an admin endpoint shows, with the same keys as the YAML file, so that the
     * output of {@code GET /config} is itself a valid config, except that a password in {@code replay.shared.uri} is
     * written as {@code <redacted>} (a {@code password_file} is shown as its path: the file is not read here).
     */
    public static ObjectNode toRedactedTree(GatewayConfig config) {
        return EffectiveConfig.tree(config);
    }

    /** {@link #toRedactedTree} as YAML that {@link #parse} reads back to an equal config. */
    public static String toRedactedYaml(GatewayConfig config) {
        return EffectiveConfig.yaml(config);
    }
}

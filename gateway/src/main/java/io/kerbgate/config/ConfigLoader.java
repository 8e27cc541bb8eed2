package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.GatewayConfig.Assertion;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Tls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads the YAML configuration into a validated {@link GatewayConfig}: the file is bound by Jackson to
 * {@link ConfigFile} and its section records, which check themselves, so that every error names its full key path;
 * unknown keys and duplicate keys are errors, never ignored ({@link ConfigErrors}). The example
 * {@code conf/kerbgate.yaml} lists every key with its default; {@code conf/kerbgate.schema.json} describes them for
 * editors.
 */
public final class ConfigLoader {

    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

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
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        root.put("listen", ConfigValues.formatAddress(config.listen()));
        if (config.keytab() != null) {
            root.put("keytab", config.keytab().toString());
        }
        ArrayNode principals = root.putArray("principals");
        config.principals().forEach(principals::add);
        ArrayNode backends = root.putArray("backends");
        for (BackendOptions backend : config.backendOptions()) {
            if (backend.isDefault()) {
                backends.add(backend.url().toString());
            } else {
                backends.addObject()
                        .put("url", backend.url().toString())
                        .put("weight", backend.weight())
                        .put("max_connections", backend.maxConnections())
                        .put("connection_auth", backend.connectionAuth());
            }
        }
        root.put("clock_skew", ConfigValues.formatDuration(config.clockSkew()));
        root.set("identity", identityTree(config.identity(), nodes));
        ObjectNode admin = root.putObject("admin");
        admin.put("listen", ConfigValues.formatAddress(config.admin().listen()));
        ArrayNode writers = admin.putArray("key_writers");
        config.admin().keyWriters().forEach(writers::add);
        if (!config.admin().allowedHosts().isEmpty()) {
            ArrayNode hosts = admin.putArray("allowed_hosts");
            config.admin().allowedHosts().forEach(hosts::add);
        }
        if (config.admin().tls() != null) {
            ObjectNode adminTls = admin.putObject("tls");
            adminTls.put("cert", config.admin().tls().cert().toString());
            adminTls.put("key", config.admin().tls().key().toString());
            if (config.admin().tls().clientCa() != null) {
                adminTls.put("client_ca", config.admin().tls().clientCa().toString());
            }
        }
        ArrayNode subjects = admin.putArray("key_writer_certificates");
        config.admin().keyWriterCertificates().forEach(subjects::add);
        ArrayNode plain = admin.putArray("plain_key_writes_from");
        config.admin().plainKeyWritesFrom().forEach(range -> plain.add(range.toString()));
        ObjectNode acceptor = root.putObject("acceptor");
        acceptor.put("allow_rc4", config.acceptor().allowRc4());
        acceptor.put("replay_cache_max_entries", config.acceptor().replayCacheMaxEntries());
        acceptor.put("replay_cache_max_entries_per_principal", config.acceptor().replayCacheMaxEntriesPerPrincipal());
        acceptor.put("replay_cache_max_entries_per_address", config.acceptor().replayCacheMaxEntriesPerAddress());
        if (config.acceptor().replayCacheFile() != null) {
            acceptor.put("replay_cache_file", config.acceptor().replayCacheFile().toString());
        }
        ArrayNode realms = acceptor.putArray("allowed_client_realms");
        config.acceptor().allowedClientRealms().forEach(realms::add);
        acceptor.put("pac", config.acceptor().pac().name().toLowerCase(java.util.Locale.ROOT));
        root.putObject("limits").put("max_header_size", ConfigValues.formatSize(config.limits().maxHeaderSize()))
                .put("max_connections", config.limits().maxConnections());
        ObjectNode timeouts = root.putObject("timeouts");
        timeouts.put("connect", ConfigValues.formatDuration(config.timeouts().connect()));
        timeouts.put("response", ConfigValues.formatDuration(config.timeouts().response()));
        timeouts.put("client_idle", ConfigValues.formatDuration(config.timeouts().clientIdle()));
        SharedStoreSection.write(config.replay().shared(), root.putObject("replay"));
        ObjectNode keys = root.putObject("keys");
        keys.put("grace", ConfigValues.formatDuration(config.keys().grace()));
        keys.put("poll_interval", ConfigValues.formatDuration(config.keys().pollInterval()));
        if (config.keys().stateDir() != null) {
            keys.put("state_dir", config.keys().stateDir().toString());
        }
        OperationsSections.write(config, root);
        Tls tls = config.tls();
        if (tls != null) {
            ObjectNode t = root.putObject("tls");
            t.put("cert", tls.cert().toString());
            t.put("key", tls.key().toString());
            ArrayNode protocols = t.putArray("protocols");
            tls.protocols().forEach(protocols::add);
            t.put("http2", tls.http2());
            t.put("channel_bindings", tls.channelBindings().name().toLowerCase(Locale.ROOT));
        }
        ObjectNode backendTls = root.putObject("backend_tls");
        if (config.backendTls().ca() != null) {
            backendTls.put("ca", config.backendTls().ca().toString());
        }
        backendTls.put("verify_hostname", config.backendTls().verifyHostname());
        root.put("balancing", config.balancing().yaml());
        Health health = config.health();
        ObjectNode healthNode = root.putObject("health");
        if (health.active()) {
            healthNode.put("path", health.path());
        }
        healthNode.put("interval", ConfigValues.formatDuration(health.interval()))
                .put("timeout", ConfigValues.formatDuration(health.timeout()))
                .put("unhealthy_threshold", health.unhealthyThreshold())
                .put("healthy_threshold", health.healthyThreshold());
        healthNode.putObject("passive")
                .put("consecutive_failures", health.passive().consecutiveFailures())
                .put("ejection", ConfigValues.formatDuration(health.passive().ejection()));
        root.putObject("retries").put("idempotent", config.retries().idempotent());
        root.putObject("drain").put("timeout", ConfigValues.formatDuration(config.drain().timeout()));
        root.putObject("access_log").put("enabled", config.accessLog().enabled());
        root.putObject("auth").put("required", config.auth().required());
        SessionsSection.write(config.sessions(), root);
        return root;
    }

    private static ObjectNode identityTree(Identity identity, JsonNodeFactory nodes) {
        ObjectNode tree = nodes.objectNode();
        tree.put("header", identity.header());
        if (identity.groupsHeader() != null) {
            tree.put("groups_header", identity.groupsHeader());
        }
        tree.put("strip_realm", identity.stripRealm());
        if (!identity.localRealms().isEmpty()) {
            ArrayNode realms = tree.putArray("local_realms");
            identity.localRealms().forEach(realms::add);
        }
        ArrayNode rules = tree.putArray("rules");
        identity.rules().forEach(r -> rules.addObject().put("match", r.match()).put("replace", r.replace()));
        Assertion assertion = identity.assertion();
        if (assertion != null) {
            // The key file's path only: the key itself is never shown.
            tree.putObject("assertion").put("type", assertion.type().name().toLowerCase(Locale.ROOT))
                    .put("key_file", assertion.keyFile().toString()).put("header", assertion.header());
        }
        if (identity.groupNames() != null) {
            identity.groupNames().write(tree.putObject("group_names"));
        }
        if (identity.groupNamesHeader() != null) {
            tree.put("group_names_header", identity.groupNamesHeader());
        }
        return tree;
    }

    /** {@link #toRedactedTree} as YAML that {@link #parse} reads back to an equal config. */
    public static String toRedactedYaml(GatewayConfig config) {
        try {
            return WRITER.writeValueAsString(toRedactedTree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings, numbers and lists cannot fail to serialize", e);
        }
    }
}

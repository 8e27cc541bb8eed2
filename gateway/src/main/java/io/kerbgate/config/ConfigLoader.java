package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.GatewayConfig.AccessLog;
import io.kerbgate.config.GatewayConfig.Acceptor;
import io.kerbgate.config.GatewayConfig.Admin;
import io.kerbgate.config.GatewayConfig.Auth;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import io.kerbgate.config.GatewayConfig.Drain;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Limits;
import io.kerbgate.config.GatewayConfig.Passive;
import io.kerbgate.config.GatewayConfig.Retries;
import io.kerbgate.config.GatewayConfig.Timeouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the YAML configuration into a validated {@link GatewayConfig}. The YAML is read as a tree and checked key by
 * key, so that every error names its full key path; unknown keys and duplicate keys are errors, never ignored.
 * The example {@code conf/kerbgate.yaml} lists every key with its default.
 */
public final class ConfigLoader {

    static final InetSocketAddress DEFAULT_ADMIN_LISTEN = new InetSocketAddress("127.0.0.1", 9090);
    static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);
    // RFC 4120 §1.6 calls 5 minutes typical; a skew of hours would stretch how long a stolen authenticator replays.
    static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);
    static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    static final int MIN_HEADER_SIZE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 1024 * 1024;
    static final int MIN_REPLAY_ENTRIES = 1_000;
    static final int MAX_REPLAY_ENTRIES = 100_000_000;
    static final int MAX_WEIGHT = 100;
    static final int MAX_BACKEND_CONNECTIONS = 100_000;
    static final int MAX_CLIENT_CONNECTIONS = 1_000_000;
    static final int MAX_THRESHOLD = 100;
    static final int MAX_RETRIES = 3;

    private static final List<String> ROOT_KEYS = List.of("listen", "keytab", "principals", "backends", "clock_skew",
            "identity", "admin", "acceptor", "limits", "timeouts", "balancing", "health", "retries", "drain",
            "access_log", "auth");
    private static final List<String> BACKEND_KEYS = List.of("url", "weight", "max_connections", "connection_auth");
    private static final List<String> HEALTH_KEYS =
            List.of("path", "interval", "timeout", "unhealthy_threshold", "healthy_threshold", "passive");
    private static final List<String> PASSIVE_KEYS = List.of("consecutive_failures", "ejection");
    private static final List<String> RETRIES_KEYS = List.of("idempotent");
    private static final List<String> DRAIN_KEYS = List.of("timeout");
    private static final List<String> ACCESS_LOG_KEYS = List.of("enabled");
    private static final List<String> AUTH_KEYS = List.of("required");
    private static final List<String> IDENTITY_KEYS = List.of("header");
    private static final List<String> ADMIN_KEYS = List.of("listen");
    private static final List<String> ACCEPTOR_KEYS =
            List.of("allow_rc4", "replay_cache_max_entries", "allowed_client_realms");
    private static final List<String> LIMITS_KEYS = List.of("max_header_size", "max_connections");
    private static final List<String> TIMEOUTS_KEYS = List.of("connect", "response", "client_idle");

    private static final String KEYTAB_FIX = "point keytab at the array's keytab (kerbgate keys init writes one)";

    private static final YAMLMapper READER =
            YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
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
        YamlSection root = YamlSection.of("", readDocument(yaml), ROOT_KEYS);

        InetSocketAddress listen = ConfigValues.address(root.key("listen"),
                root.require("listen", "add listen: host:port, e.g. listen: 0.0.0.0:8080"));
        Path keytab = keytab(root.key("keytab"),
                root.require("keytab", "add keytab: /etc/kerbgate/http.keytab (kerbgate keys init writes one)"),
                baseDir);
        List<String> principals = distinctList(root, "principals", ConfigValues::principal,
                "write principals: [HTTP/array.example.test@ARRAY.TEST], or leave it out for every keytab principal");
        String backendsFix = "add backends: [http://127.0.0.1:9001]";
        root.require("backends", backendsFix);
        List<BackendOptions> backendOptions = backends(root, backendsFix);
        List<URI> backends = backendOptions.stream().map(BackendOptions::url).toList();
        if (backends.isEmpty()) {
            throw new ConfigException(root.key("backends"), "is empty", "list at least one backend; " + backendsFix);
        }
        Duration clockSkew = root.has("clock_skew")
                ? duration(root, "clock_skew", MAX_CLOCK_SKEW, "use the Kerberos default of 5m unless clocks are far off")
                : DEFAULT_CLOCK_SKEW;

        YamlSection identitySection = root.section("identity", IDENTITY_KEYS);
        Identity identity = identitySection.has("header")
                ? new Identity(ConfigValues.headerName(identitySection.key("header"), identitySection.get("header")))
                : Identity.DEFAULT;

        YamlSection adminSection = root.section("admin", ADMIN_KEYS);
        Admin admin = new Admin(adminSection.has("listen")
                ? ConfigValues.address(adminSection.key("listen"), adminSection.get("listen"))
                : DEFAULT_ADMIN_LISTEN);
        if (clash(listen, admin.listen())) {
            throw new ConfigException(adminSection.key("listen"), "uses the same port as listen",
                    "give the admin listener a port of its own, e.g. 127.0.0.1:9090");
        }

        return new GatewayConfig(listen, keytab, principals, backends, clockSkew, identity, admin,
                acceptor(root.section("acceptor", ACCEPTOR_KEYS)), limits(root.section("limits", LIMITS_KEYS)),
                timeouts(root.section("timeouts", TIMEOUTS_KEYS)), backendOptions, balancing(root),
                health(root.section("health", HEALTH_KEYS)), retries(root.section("retries", RETRIES_KEYS)),
                drain(root.section("drain", DRAIN_KEYS)), accessLog(root.section("access_log", ACCESS_LOG_KEYS)),
                auth(root.section("auth", AUTH_KEYS)));
    }

    /** Each item is a URL, or a mapping with {@code url} and the backend's own settings. */
    private static List<BackendOptions> backends(YamlSection root, String fix) throws ConfigException {
        JsonNode node = root.get("backends");
        String key = root.key("backends");
        if (node == null || !node.isArray()) {
            throw new ConfigException(key, node == null ? "is missing" : ConfigValues.describe(node) + " is not a list",
                    fix);
        }
        List<BackendOptions> backends = new ArrayList<>(node.size());
        Set<URI> seen = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String itemKey = key + "[" + i + "]";
            JsonNode item = node.get(i);
            BackendOptions options;
            if (item.isObject()) {
                YamlSection section = YamlSection.of(itemKey, item, BACKEND_KEYS);
                URI url = ConfigValues.backend(section.key("url"),
                        section.require("url", "add url: http://host:port to the backend"));
                options = new BackendOptions(url,
                        section.has("weight") ? ConfigValues.integer(section.key("weight"), section.get("weight"), 1,
                                MAX_WEIGHT) : BackendOptions.DEFAULT_WEIGHT,
                        section.has("max_connections") ? ConfigValues.integer(section.key("max_connections"),
                                section.get("max_connections"), 1, MAX_BACKEND_CONNECTIONS)
                                : BackendOptions.DEFAULT_MAX_CONNECTIONS,
                        section.has("connection_auth")
                                && ConfigValues.bool(section.key("connection_auth"), section.get("connection_auth")));
            } else {
                options = BackendOptions.defaults(ConfigValues.backend(itemKey, item));
            }
            if (!seen.add(options.url())) {
                throw new ConfigException(itemKey, ConfigValues.quote(options.url().toString()) + " is listed twice",
                        "remove the repeat");
            }
            backends.add(options);
        }
        return List.copyOf(backends);
    }

    private static Balancing balancing(YamlSection root) throws ConfigException {
        if (!root.has("balancing")) {
            return Balancing.LEAST_OUTSTANDING;
        }
        String key = root.key("balancing");
        String fix = "use least_outstanding (the default) or round_robin";
        String text = ConfigValues.text(key, root.get("balancing"), fix);
        for (Balancing balancing : Balancing.values()) {
            if (balancing.yaml().equals(text)) {
                return balancing;
            }
        }
        throw new ConfigException(key, ConfigValues.quote(text) + " is not a balancing policy", fix);
    }

    private static Health health(YamlSection section) throws ConfigException {
        Health defaults = Health.DEFAULT;
        String fix = "use a duration from 1ms to 1d";
        String path = defaults.path();
        if (section.has("path")) {
            String pathFix = "write an absolute path such as /healthz, or leave path out to turn active checks off";
            path = ConfigValues.text(section.key("path"), section.get("path"), pathFix);
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
                throw new ConfigException(section.key("path"), ConfigValues.quote(path) + " is not an absolute path",
                        pathFix);
            }
        }
        Duration interval = section.has("interval") ? duration(section, "interval", MAX_TIMEOUT, fix)
                : defaults.interval();
        Duration timeout = section.has("timeout") ? duration(section, "timeout", MAX_TIMEOUT, fix) : defaults.timeout();
        int unhealthy = section.has("unhealthy_threshold") ? ConfigValues.integer(section.key("unhealthy_threshold"),
                section.get("unhealthy_threshold"), 1, MAX_THRESHOLD) : defaults.unhealthyThreshold();
        int healthy = section.has("healthy_threshold") ? ConfigValues.integer(section.key("healthy_threshold"),
                section.get("healthy_threshold"), 1, MAX_THRESHOLD) : defaults.healthyThreshold();
        YamlSection passiveSection = section.section("passive", PASSIVE_KEYS);
        Passive passive = new Passive(
                passiveSection.has("consecutive_failures") ? ConfigValues.integer(
                        passiveSection.key("consecutive_failures"), passiveSection.get("consecutive_failures"), 0,
                        MAX_THRESHOLD) : Passive.DEFAULT.consecutiveFailures(),
                passiveSection.has("ejection") ? duration(passiveSection, "ejection", MAX_TIMEOUT, fix)
                        : Passive.DEFAULT.ejection());
        return new Health(path, interval, timeout, unhealthy, healthy, passive);
    }

    private static Retries retries(YamlSection section) throws ConfigException {
        return section.has("idempotent")
                ? new Retries(ConfigValues.integer(section.key("idempotent"), section.get("idempotent"), 0,
                        MAX_RETRIES))
                : Retries.DEFAULT;
    }

    private static Drain drain(YamlSection section) throws ConfigException {
        return section.has("timeout")
                ? new Drain(duration(section, "timeout", MAX_TIMEOUT, "use a duration from 1ms to 1d"))
                : Drain.DEFAULT;
    }

    private static AccessLog accessLog(YamlSection section) throws ConfigException {
        return section.has("enabled")
                ? new AccessLog(ConfigValues.bool(section.key("enabled"), section.get("enabled")))
                : AccessLog.DEFAULT;
    }

    private static Auth auth(YamlSection section) throws ConfigException {
        return section.has("required")
                ? new Auth(ConfigValues.bool(section.key("required"), section.get("required")))
                : Auth.DEFAULT;
    }

    private static Acceptor acceptor(YamlSection section) throws ConfigException {
        Acceptor defaults = Acceptor.DEFAULT;
        boolean allowRc4 = section.has("allow_rc4")
                ? ConfigValues.bool(section.key("allow_rc4"), section.get("allow_rc4"))
                : defaults.allowRc4();
        int replayEntries = section.has("replay_cache_max_entries")
                ? ConfigValues.integer(section.key("replay_cache_max_entries"), section.get("replay_cache_max_entries"),
                        MIN_REPLAY_ENTRIES, MAX_REPLAY_ENTRIES)
                : defaults.replayCacheMaxEntries();
        List<String> realms = distinctList(section, "allowed_client_realms", ConfigValues::realm,
                "write allowed_client_realms: [EXAMPLE.COM], or [] for any realm");
        return new Acceptor(allowRc4, replayEntries, realms);
    }

    private static Limits limits(YamlSection section) throws ConfigException {
        int maxConnections = section.has("max_connections")
                ? ConfigValues.integer(section.key("max_connections"), section.get("max_connections"), 1,
                        MAX_CLIENT_CONNECTIONS)
                : Limits.DEFAULT_MAX_CONNECTIONS;
        if (!section.has("max_header_size")) {
            return new Limits(Limits.DEFAULT.maxHeaderSize(), maxConnections);
        }
        String key = section.key("max_header_size");
        long size = ConfigValues.byteSize(key, section.get("max_header_size"));
        String fix = "use " + ConfigValues.formatSize(MIN_HEADER_SIZE) + " to " + ConfigValues.formatSize(MAX_HEADER_SIZE)
                + " (default " + ConfigValues.formatSize(Limits.DEFAULT.maxHeaderSize()) + ")";
        if (size < MIN_HEADER_SIZE) {
            throw new ConfigException(key, ConfigValues.formatSize(size) + " is below the minimum", fix);
        }
        if (size > MAX_HEADER_SIZE) {
            throw new ConfigException(key, ConfigValues.formatSize(size) + " is above the maximum", fix);
        }
        return new Limits((int) size, maxConnections);
    }

    private static Timeouts timeouts(YamlSection section) throws ConfigException {
        Timeouts defaults = Timeouts.DEFAULT;
        String fix = "use a duration from 1ms to 1d";
        return new Timeouts(
                section.has("connect") ? duration(section, "connect", MAX_TIMEOUT, fix) : defaults.connect(),
                section.has("response") ? duration(section, "response", MAX_TIMEOUT, fix) : defaults.response(),
                section.has("client_idle") ? duration(section, "client_idle", MAX_TIMEOUT, fix) : defaults.clientIdle());
    }

    private static Duration duration(YamlSection section, String name, Duration max, String rangeFix)
            throws ConfigException {
        String key = section.key(name);
        Duration duration = ConfigValues.duration(key, section.get(name));
        if (duration.isNegative() || duration.isZero()) {
            throw new ConfigException(key, ConfigValues.formatDuration(duration) + " is not more than 0", rangeFix);
        }
        if (duration.compareTo(max) > 0) {
            throw new ConfigException(key, ConfigValues.formatDuration(duration) + " is more than "
                    + ConfigValues.formatDuration(max), rangeFix);
        }
        return duration;
    }

    private static Path keytab(String key, JsonNode node, Path baseDir) throws ConfigException {
        String text = ConfigValues.text(key, node, KEYTAB_FIX);
        Path path;
        try {
            path = baseDir.toAbsolutePath().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a file path", KEYTAB_FIX);
        }
        if (!Files.exists(path)) {
            throw new ConfigException(key, path + " does not exist", KEYTAB_FIX);
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(key, path + " is not a regular file", KEYTAB_FIX);
        }
        int first;
        try (InputStream in = Files.newInputStream(path)) {
            first = in.read();
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable",
                    "let the user that runs kerbgate read it, and nobody else: it holds the service keys");
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", KEYTAB_FIX, e);
        }
        if (first == -1) {
            throw new ConfigException(key, path + " is empty", KEYTAB_FIX);
        }
        // Every keytab starts with the format byte 0x05 (MIT keytab format, versions 0x0501 and 0x0502).
        if (first != 0x05) {
            throw new ConfigException(key, path + " is not a keytab (it does not start with 0x05)", KEYTAB_FIX);
        }
        return path;
    }

    private static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() == 0 || a.getPort() != b.getPort()) {
            return false;
        }
        return a.getAddress().equals(b.getAddress())
                || a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress();
    }

    @FunctionalInterface
    private interface Converter<T> {
        T convert(String key, JsonNode node) throws ConfigException;
    }

    private static <T> List<T> distinctList(YamlSection section, String name, Converter<T> converter, String fix)
            throws ConfigException {
        JsonNode node = section.get(name);
        if (node == null) {
            return List.of();
        }
        String key = section.key(name);
        if (!node.isArray()) {
            throw new ConfigException(key, ConfigValues.describe(node) + " is not a list", fix);
        }
        Set<T> values = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            T value = converter.convert(key + "[" + i + "]", node.get(i));
            if (!values.add(value)) {
                throw new ConfigException(key + "[" + i + "]", ConfigValues.quote(value.toString()) + " is listed twice",
                        "remove the repeat");
            }
        }
        return List.copyOf(values);
    }

    private static JsonNode readDocument(String yaml) throws ConfigException {
        // A parser rather than readValues(): that one would iterate the items of a top-level list as documents.
        try (JsonParser parser = READER.createParser(yaml)) {
            JsonNode first = READER.readTree(parser);
            if (first == null || first.isNull() || first.isMissingNode()) {
                throw new ConfigException("", "the file is empty", "start from the example conf/kerbgate.yaml");
            }
            if (parser.nextToken() != null) {
                throw new ConfigException("", "the file holds more than one YAML document",
                        "remove the '---' separators and keep one document");
            }
            return first;
        } catch (StreamReadException e) {
            throw syntaxError(e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("", "the file is not valid YAML (" + firstLine(e.getOriginalMessage()) + ")",
                    "check the YAML syntax", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from a string", e);
        }
    }

    private static ConfigException syntaxError(StreamReadException e) {
        String key = e.getProcessor() == null ? "" : dotted(e.getProcessor().getParsingContext().pathAsPointer());
        String message = firstLine(e.getOriginalMessage());
        if (message.startsWith("Duplicate field")) {
            return new ConfigException(key, "the key appears twice", "keep one of them", e);
        }
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return new ConfigException(key, "YAML syntax error" + where + " (" + problem(e, message) + ")",
                "quote values that hold [ ] { } # or ': ', e.g. listen: \"[::1]:8080\"", e);
    }

    // SnakeYAML's own message spans several lines with a caret drawing; its "problem" is the one line that matters.
    private static String problem(StreamReadException e, String fallback) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException yaml && yaml.getProblem() != null) {
                return yaml.getProblem();
            }
        }
        return fallback;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }

    private static String dotted(JsonPointer pointer) {
        StringBuilder key = new StringBuilder();
        for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.getMatchingIndex() >= 0) {
                key.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                key.append(key.length() == 0 ? "" : ".").append(p.getMatchingProperty());
            }
        }
        return key.toString();
    }

    /**
     * The effective config as the tree an admin endpoint shows, with the same keys as the YAML file, so that the
     * output of {@code GET /config} is itself a valid config. No key holds a secret today; a future one (a Redis
     * password, say) must be written here as {@code <redacted>} rather than its value.
     */
    public static ObjectNode toRedactedTree(GatewayConfig config) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode root = nodes.objectNode();
        root.put("listen", ConfigValues.formatAddress(config.listen()));
        root.put("keytab", config.keytab().toString());
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
        root.putObject("identity").put("header", config.identity().header());
        root.putObject("admin").put("listen", ConfigValues.formatAddress(config.admin().listen()));
        ObjectNode acceptor = root.putObject("acceptor");
        acceptor.put("allow_rc4", config.acceptor().allowRc4());
        acceptor.put("replay_cache_max_entries", config.acceptor().replayCacheMaxEntries());
        ArrayNode realms = acceptor.putArray("allowed_client_realms");
        config.acceptor().allowedClientRealms().forEach(realms::add);
        root.putObject("limits").put("max_header_size", ConfigValues.formatSize(config.limits().maxHeaderSize()))
                .put("max_connections", config.limits().maxConnections());
        ObjectNode timeouts = root.putObject("timeouts");
        timeouts.put("connect", ConfigValues.formatDuration(config.timeouts().connect()));
        timeouts.put("response", ConfigValues.formatDuration(config.timeouts().response()));
        timeouts.put("client_idle", ConfigValues.formatDuration(config.timeouts().clientIdle()));
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
        return root;
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

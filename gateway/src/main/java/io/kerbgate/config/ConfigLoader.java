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
import io.kerbgate.config.GatewayConfig.AdminTls;
import io.kerbgate.config.GatewayConfig.Assertion;
import io.kerbgate.config.GatewayConfig.AssertionType;
import io.kerbgate.config.GatewayConfig.BackendTls;
import io.kerbgate.config.GatewayConfig.ChannelBindingMode;
import io.kerbgate.config.GatewayConfig.Auth;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Balancing;
import io.kerbgate.config.GatewayConfig.Drain;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Keys;
import io.kerbgate.config.GatewayConfig.Limits;
import io.kerbgate.config.GatewayConfig.Replay;
import io.kerbgate.config.GatewayConfig.Rule;
import io.kerbgate.config.GatewayConfig.Passive;
import io.kerbgate.config.GatewayConfig.Retries;
import io.kerbgate.config.GatewayConfig.Timeouts;
import io.kerbgate.config.GatewayConfig.Tls;
import io.kerbgate.config.ProxySections.AccessLogSection;
import io.kerbgate.config.ProxySections.AuthSection;
import io.kerbgate.config.ProxySections.DrainSection;
import io.kerbgate.config.ProxySections.HealthSection;
import io.kerbgate.config.ProxySections.LimitsSection;
import io.kerbgate.config.ProxySections.RetriesSection;
import io.kerbgate.config.ProxySections.TimeoutsSection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

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
    static final int MIN_REPLAY_ENTRIES = 1_000;
    static final int MAX_REPLAY_ENTRIES = 100_000_000;
    // A grace beyond a week outlives any ticket lifetime policy: a retired key would stay usable for nothing.
    static final Duration MAX_GRACE = Duration.ofDays(7);
    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(10);

    /** The smallest HMAC key accepted: RFC 2104 §3 asks for at least the hash's output length (32 for SHA-256). */
    static final int MIN_ASSERTION_KEY_BYTES = 32;

    static final int MAX_WEIGHT = 100;
    static final int MAX_BACKEND_CONNECTIONS = 100_000;

    private static final List<String> ROOT_KEYS = List.of("listen", "keytab", "principals", "backends", "clock_skew",
            "identity", "admin", "acceptor", "limits", "timeouts", "replay", "keys",
            "logging", "routes", "tls", "backend_tls", "balancing", "health", "retries", "drain", "access_log",
            "auth", "sessions");
    private static final List<String> BACKEND_KEYS = List.of("url", "weight", "max_connections", "connection_auth");
    private static final List<String> IDENTITY_KEYS =
            List.of("header", "groups_header", "strip_realm", "local_realms", "rules", "assertion", "group_names",
                    "group_names_header");
    private static final List<String> RULE_KEYS = List.of("match", "replace");
    private static final List<String> ASSERTION_KEYS = List.of("type", "key_file", "header");
    private static final List<String> TLS_KEYS = List.of("cert", "key", "protocols", "http2", "channel_bindings");
    private static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final List<String> BACKEND_TLS_KEYS = List.of("ca", "verify_hostname");
    private static final List<String> ADMIN_KEYS = List.of("listen", "key_writers", "allowed_hosts", "tls",
            "key_writer_certificates", "plain_key_writes_from");
    private static final List<String> ADMIN_TLS_KEYS = List.of("cert", "key", "client_ca");
    private static final List<String> ACCEPTOR_KEYS =
            List.of("allow_rc4", "replay_cache_max_entries", "replay_cache_max_entries_per_principal",
                    "replay_cache_max_entries_per_address", "replay_cache_file", "allowed_client_realms", "pac");
    private static final List<String> REPLAY_KEYS = List.of("shared");
    private static final List<String> SHARED_KEYS =
            List.of("uri", "password_file", "sentinel_password_file", "fail", "timeout", "circuit_failures",
                    "circuit_cooldown", "min_replicas_ack", "failover_wait");
    private static final List<String> KEYS_KEYS = List.of("grace", "poll_interval", "state_dir");

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
        Duration skewForKeys = root.has("clock_skew")
                ? duration(root, "clock_skew", MAX_CLOCK_SKEW, "use the Kerberos default of 5m unless clocks are far off")
                : DEFAULT_CLOCK_SKEW;
        Keys keys = keys(root.section("keys", KEYS_KEYS), skewForKeys, baseDir);
        // With a state directory the node keeps the keys the rollover tool installs there: the configured keytab is
        // then optional, and may not exist yet (the node starts without keys and answers 503 until it has some).
        Path keytab = keys.stateDir() == null
                ? keytab(root.key("keytab"), root.require("keytab", "add keytab: /etc/kerbgate/http.keytab, or set "
                        + "keys.state_dir: /var/lib/kerbgate/keys and install keys with kerbgate keys init"), baseDir)
                : root.has("keytab") ? optionalKeytab(root.key("keytab"), root.get("keytab"), baseDir) : null;
        List<String> principals = distinctList(root, "principals", ConfigValues::principal,
                "write principals: [HTTP/array.example.test@ARRAY.TEST], or leave it out for every keytab principal");
        String backendsFix = "add backends: [http://127.0.0.1:9001]";
        root.require("backends", backendsFix);
        List<BackendOptions> backendOptions = backends(root, backendsFix);
        List<URI> backends = backendOptions.stream().map(BackendOptions::url).toList();
        if (backends.isEmpty()) {
            throw new ConfigException(root.key("backends"), "is empty", "list at least one backend; " + backendsFix);
        }
        Duration clockSkew = skewForKeys;

        YamlSection identitySection = root.section("identity", IDENTITY_KEYS);
        Identity identity = identity(identitySection, baseDir);

        YamlSection adminSection = root.section("admin", ADMIN_KEYS);
        Admin admin = admin(adminSection, baseDir);
        if (clash(listen, admin.listen())) {
            throw new ConfigException(adminSection.key("listen"), "uses the same port as listen",
                    "give the admin listener a port of its own, e.g. 127.0.0.1:9090");
        }

        Acceptor acceptor = acceptor(root.section("acceptor", ACCEPTOR_KEYS), baseDir);
        if (identity.groupsHeader() != null && acceptor.pac() == GatewayConfig.Pac.OFF) {
            throw new ConfigException(identitySection.key("groups_header"), "needs the PAC's groups",
                    "set acceptor.pac: verify (or require), or remove groups_header");
        }
        if (identity.groupNames() != null && acceptor.pac() == GatewayConfig.Pac.OFF) {
            throw new ConfigException(identitySection.key("group_names"), "needs the PAC's groups",
                    "set acceptor.pac: verify (or require), or remove group_names");
        }
        return new GatewayConfig(listen, keytab, principals, backends, clockSkew, identity, admin,
                acceptor, bind(root, "limits", LimitsSection.class, baseDir).limits(),
                bind(root, "timeouts", TimeoutsSection.class, baseDir).timeouts(),
                replay(root.section("replay", REPLAY_KEYS), baseDir),
                keys,
                OperationsConfig.logging(root.section("logging", OperationsConfig.LOGGING_KEYS)),
                OperationsConfig.routes(root),
                root.has("tls") ? tls(root.section("tls", TLS_KEYS), baseDir) : null,
                backendTls(root.section("backend_tls", BACKEND_TLS_KEYS), baseDir), backendOptions, balancing(root),
                bind(root, "health", HealthSection.class, baseDir).health(),
                bind(root, "retries", RetriesSection.class, baseDir).retries(),
                bind(root, "drain", DrainSection.class, baseDir).drain(),
                bind(root, "access_log", AccessLogSection.class, baseDir).accessLog(),
                bind(root, "auth", AuthSection.class, baseDir).auth(),
                SessionsConfig.parse(root.section("sessions", SessionsConfig.KEYS), baseDir));
    }

    private static Admin admin(YamlSection section, Path baseDir) throws ConfigException {
        InetSocketAddress listen = section.has("listen")
                ? ConfigValues.address(section.key("listen"), section.get("listen"))
                : DEFAULT_ADMIN_LISTEN;
        List<String> writers = distinctList(section, "key_writers", ConfigValues::clientPrincipal,
                "write key_writers: [keyadmin@ARRAY.TEST], the principals that may change this node's keys");
        AdminTls tls = null;
        if (section.has("tls")) {
            YamlSection t = section.section("tls", ADMIN_TLS_KEYS);
            String certFix = "write cert: /etc/kerbgate/admin/cert.pem (PEM, leaf first, naming this node's host)";
            Path cert = pemFile(t.key("cert"), t.require("cert", certFix), baseDir, "CERTIFICATE", certFix);
            String keyFix = "write key: /etc/kerbgate/admin/key.pem (PEM, PKCS#8)";
            Path key = pemFile(t.key("key"), t.require("key", keyFix), baseDir, "PRIVATE KEY", keyFix);
            ConfigValues.requirePrivate(t.key("key"), key);
            Path clientCa = null;
            if (t.has("client_ca")) {
                String caFix = "write client_ca: /etc/kerbgate/admin/clients-ca.pem (PEM CA certificates of the key"
                        + " writers' client certificates)";
                clientCa = pemFile(t.key("client_ca"), t.get("client_ca"), baseDir, "CERTIFICATE", caFix);
            }
            tls = new AdminTls(cert, key, clientCa);
        }
        List<String> subjects = distinctList(section, "key_writer_certificates", ConfigLoader::subjectDn,
                "write key_writer_certificates: [\"CN=kerbgate-keys,O=Example\"], subject DNs of client certificates");
        if (!subjects.isEmpty() && (tls == null || tls.clientCa() == null)) {
            throw new ConfigException(section.key("key_writer_certificates"), "needs admin.tls.client_ca",
                    "set admin.tls (cert, key, client_ca), or remove key_writer_certificates");
        }
        List<AddressRange> plain = section.has("plain_key_writes_from")
                ? distinctList(section, "plain_key_writes_from", ConfigLoader::addressRange,
                        "write plain_key_writes_from: [127.0.0.0/8, ::1], or [] to refuse every plain key write")
                : Admin.LOOPBACK;
        List<String> allowedHosts = distinctList(section, "allowed_hosts", ConfigValues::hostName,
                "write allowed_hosts: [kerbgate-1.example.test], the names Prometheus or probes use (no port)");
        return new Admin(listen, writers, tls, subjects, plain, allowedHosts);
    }

    private static String subjectDn(String key, JsonNode node) throws ConfigException {
        String text = ConfigValues.text(key, node, "a subject DN, e.g. CN=kerbgate-keys,O=Example");
        try {
            return new javax.security.auth.x500.X500Principal(text).getName(javax.security.auth.x500.X500Principal.RFC2253);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a distinguished name",
                    "write it like CN=kerbgate-keys,O=Example");
        }
    }

    private static AddressRange addressRange(String key, JsonNode node) throws ConfigException {
        String text = ConfigValues.text(key, node, "an address or CIDR block, e.g. 127.0.0.0/8");
        try {
            return AddressRange.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage(), "write an address or CIDR block, e.g. 127.0.0.0/8 or ::1");
        }
    }

    private static Replay replay(YamlSection section, Path baseDir) throws ConfigException {
        return section.has("shared")
                ? new Replay(SharedStoreConfig.parse(section.section("shared", SHARED_KEYS), baseDir))
                : Replay.NONE;
    }

    private static Keys keys(YamlSection section, Duration clockSkew, Path baseDir) throws ConfigException {
        Keys defaults = Keys.defaults(clockSkew);
        Duration grace = section.has("grace")
                ? duration(section, "grace", MAX_GRACE, "use the longest ticket lifetime plus clock_skew, e.g. 10h5m "
                        + "(at most " + ConfigValues.formatDuration(MAX_GRACE) + ")")
                : defaults.grace();
        Duration poll = defaults.pollInterval();
        if (section.has("poll_interval")) {
            String fix = "use a duration from " + ConfigValues.formatDuration(MIN_POLL_INTERVAL) + " to "
                    + ConfigValues.formatDuration(MAX_POLL_INTERVAL) + " (default "
                    + ConfigValues.formatDuration(defaults.pollInterval()) + ")";
            poll = duration(section, "poll_interval", MAX_POLL_INTERVAL, fix);
            if (poll.compareTo(MIN_POLL_INTERVAL) < 0) {
                throw new ConfigException(section.key("poll_interval"), ConfigValues.formatDuration(poll)
                        + " is below the minimum", fix);
            }
        }
        Path stateDir = null;
        if (section.has("state_dir")) {
            String fix = "write state_dir: /var/lib/kerbgate/keys (systemd StateDirectory=kerbgate/keys), a directory"
                    + " of this node's own";
            String text = ConfigValues.text(section.key("state_dir"), section.get("state_dir"), fix);
            try {
                stateDir = baseDir.toAbsolutePath().resolve(text).normalize();
            } catch (InvalidPathException e) {
                throw new ConfigException(section.key("state_dir"), ConfigValues.quote(text) + " is not a path", fix);
            }
            if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
                throw new ConfigException(section.key("state_dir"), stateDir + " is not a directory", fix);
            }
        }
        return new Keys(grace, poll, stateDir);
    }

    /** A keytab beside a state directory: it may be absent (no keys there yet); if present, it must be a keytab. */
    private static Path optionalKeytab(String key, JsonNode node, Path baseDir) throws ConfigException {
        String text = ConfigValues.text(key, node, KEYTAB_FIX);
        Path path;
        try {
            path = baseDir.toAbsolutePath().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a file path", KEYTAB_FIX);
        }
        return Files.exists(path) ? keytab(key, node, baseDir) : path;
    }

    private static Identity identity(YamlSection section, Path baseDir) throws ConfigException {
        String header = section.has("header")
                ? ConfigValues.headerName(section.key("header"), section.get("header"))
                : Identity.DEFAULT.header();
        String groupsHeader = null;
        if (section.has("groups_header")) {
            groupsHeader = ConfigValues.headerName(section.key("groups_header"), section.get("groups_header"));
            if (groupsHeader.equalsIgnoreCase(header)) {
                throw new ConfigException(section.key("groups_header"), "is the identity header",
                        "give the groups their own header, e.g. X-Remote-Groups");
            }
        }
        boolean stripRealm = section.has("strip_realm")
                && ConfigValues.bool(section.key("strip_realm"), section.get("strip_realm"));
        List<String> localRealms = distinctList(section, "local_realms", ConfigValues::realm,
                "write local_realms: [ARRAY.TEST], the realms whose users are this site's users; leave it out for the"
                        + " realms of the keytab's principals");
        if (section.has("local_realms") && localRealms.isEmpty()) {
            throw new ConfigException(section.key("local_realms"), "is empty",
                    "list at least one realm, or leave local_realms out for the realms of the keytab's principals");
        }
        List<Rule> rules = new ArrayList<>();
        JsonNode ruleNodes = section.get("rules");
        String rulesFix = "write rules: [{match: \"^(.*)@CORP\\\\.EXAMPLE\\\\.COM$\", replace: \"$1\"}]";
        if (ruleNodes != null) {
            if (!ruleNodes.isArray()) {
                throw new ConfigException(section.key("rules"), ConfigValues.describe(ruleNodes) + " is not a list",
                        rulesFix);
            }
            for (int i = 0; i < ruleNodes.size(); i++) {
                rules.add(rule(YamlSection.of(section.key("rules") + "[" + i + "]", ruleNodes.get(i), RULE_KEYS),
                        rulesFix));
            }
        }
        Assertion assertion = section.has("assertion")
                ? assertion(section.section("assertion", ASSERTION_KEYS), header, groupsHeader, baseDir)
                : null;
        GroupNamesConfig groupNames = section.has("group_names")
                ? GroupNamesConfig.parse(section.section("group_names", GroupNamesConfig.KEYS), baseDir)
                : null;
        String groupNamesHeader = null;
        if (section.has("group_names_header")) {
            String key = section.key("group_names_header");
            groupNamesHeader = ConfigValues.headerName(key, section.get("group_names_header"));
            if (groupNames == null) {
                throw new ConfigException(key, "needs identity.group_names",
                        "add group_names: {ldap: ldaps://..., bind: {...}, base_dn: ...}, or remove group_names_header");
            }
            for (String other : new String[] {header, groupsHeader,
                    assertion == null ? GatewayConfig.Assertion.DEFAULT_HEADER : assertion.header()}) {
                if (groupNamesHeader.equalsIgnoreCase(other)) {
                    throw new ConfigException(key, "is another identity header",
                            "give the group names their own header, e.g. X-Remote-Group-Names");
                }
            }
        }
        return new Identity(header, groupsHeader, stripRealm, rules, assertion, groupNames, groupNamesHeader,
                localRealms);
    }

    private static Rule rule(YamlSection section, String fix) throws ConfigException {
        String match = ConfigValues.text(section.key("match"), section.require("match", fix), fix);
        Pattern pattern;
        try {
            pattern = Pattern.compile(match);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(section.key("match"), ConfigValues.quote(match) + " is not a regular expression ("
                    + e.getDescription() + ")",
                    "write a Java regular expression; in double quotes, \\\\. is a literal dot");
        }
        JsonNode replaceNode = section.require("replace", fix);
        if (!replaceNode.isTextual()) {
            throw new ConfigException(section.key("replace"), ConfigValues.describe(replaceNode) + " is not a string",
                    "write the replacement in quotes, e.g. \"$1\"");
        }
        String replace = replaceNode.textValue();
        String problem = ConfigValues.replacementProblem(replace, pattern.matcher("").groupCount());
        if (problem != null) {
            throw new ConfigException(section.key("replace"), ConfigValues.quote(replace) + " " + problem,
                    "refer to groups of match as $1..$n, and write \\$ for a dollar sign");
        }
        return new Rule(match, replace);
    }

    private static Assertion assertion(YamlSection section, String identityHeader, @Nullable String groupsHeader,
            Path baseDir) throws ConfigException {
        String typeFix = "write type: hmac or type: jwt";
        String typeText = ConfigValues.text(section.key("type"), section.require("type", typeFix), typeFix);
        AssertionType type = switch (typeText.toLowerCase(Locale.ROOT)) {
            case "hmac" -> AssertionType.HMAC;
            case "jwt" -> AssertionType.JWT;
            default -> throw new ConfigException(section.key("type"), ConfigValues.quote(typeText)
                    + " is not an assertion type", typeFix);
        };
        String keyFix = "write key_file: /etc/kerbgate/assertion.key, made with openssl rand -out FILE 32";
        Path keyFile = existingFile(section.key("key_file"), section.require("key_file", keyFix), baseDir, keyFix);
        long size = fileSize(section.key("key_file"), keyFile, keyFix);
        ConfigValues.requirePrivate(section.key("key_file"), keyFile);
        if (size < MIN_ASSERTION_KEY_BYTES) {
            throw new ConfigException(section.key("key_file"), keyFile + " holds " + size + " bytes, fewer than "
                    + MIN_ASSERTION_KEY_BYTES, "make a longer key: openssl rand -out " + keyFile + " 32");
        }
        String header = section.has("header")
                ? ConfigValues.headerName(section.key("header"), section.get("header"))
                : Assertion.DEFAULT_HEADER;
        if (header.equalsIgnoreCase(identityHeader)) {
            throw new ConfigException(section.key("header"), ConfigValues.quote(header) + " is the identity header",
                    "give the assertion a header of its own, e.g. " + Assertion.DEFAULT_HEADER);
        }
        if (header.equalsIgnoreCase(groupsHeader)) {
            throw new ConfigException(section.key("header"), ConfigValues.quote(header) + " is the groups header",
                    "give the assertion a header of its own, e.g. " + Assertion.DEFAULT_HEADER);
        }
        return new Assertion(type, keyFile, header);
    }

    private static Tls tls(YamlSection section, Path baseDir) throws ConfigException {
        String certFix = "write cert: /etc/kerbgate/tls/fullchain.pem (PEM, leaf certificate first)";
        Path cert = pemFile(section.key("cert"), section.require("cert", certFix), baseDir, "CERTIFICATE", certFix);
        String keyFix = "write key: /etc/kerbgate/tls/privkey.pem (PEM, PKCS#8)";
        Path key = pemFile(section.key("key"), section.require("key", keyFix), baseDir, "PRIVATE KEY", keyFix);
        ConfigValues.requirePrivate(section.key("key"), key);
        List<String> protocols = section.has("protocols")
                ? distinctList(section, "protocols", ConfigLoader::tlsProtocol, "write protocols: [TLSv1.3, TLSv1.2]")
                : Tls.DEFAULT_PROTOCOLS;
        if (protocols.isEmpty()) {
            throw new ConfigException(section.key("protocols"), "is empty", "write protocols: [TLSv1.3, TLSv1.2]");
        }
        boolean http2 = !section.has("http2") || ConfigValues.bool(section.key("http2"), section.get("http2"));
        ChannelBindingMode bindings = section.has("channel_bindings")
                ? channelBindingMode(section.key("channel_bindings"), section.get("channel_bindings"))
                : ChannelBindingMode.OPTIONAL;
        return new Tls(cert, key, protocols, http2, bindings);
    }

    private static String tlsProtocol(String key, JsonNode node) throws ConfigException {
        String fix = "choose from " + String.join(", ", TLS_PROTOCOLS) + " (older versions are broken)";
        String text = ConfigValues.text(key, node, fix);
        for (String protocol : TLS_PROTOCOLS) {
            if (protocol.equalsIgnoreCase(text)) {
                return protocol;
            }
        }
        throw new ConfigException(key, ConfigValues.quote(text) + " is not a supported TLS version", fix);
    }

    private static ChannelBindingMode channelBindingMode(String key, JsonNode node) throws ConfigException {
        String fix = "write off, optional or required";
        // YAML 1.1 reads an unquoted off as false.
        if (node.isBoolean() && !node.booleanValue()) {
            return ChannelBindingMode.OFF;
        }
        String text = node.isTextual() ? node.textValue().strip().toLowerCase(Locale.ROOT) : "";
        return switch (text) {
            case "off" -> ChannelBindingMode.OFF;
            case "optional" -> ChannelBindingMode.OPTIONAL;
            case "required" -> ChannelBindingMode.REQUIRED;
            default -> throw new ConfigException(key, ConfigValues.describe(node) + " is not a channel binding mode",
                    fix);
        };
    }

    private static BackendTls backendTls(YamlSection section, Path baseDir) throws ConfigException {
        String caFix = "write ca: /etc/kerbgate/tls/backend-ca.pem (PEM CA certificates), or leave it out for the"
                + " JDK's trust store";
        Path ca = null;
        if (section.has("ca")) {
            ca = pemFile(section.key("ca"), section.get("ca"), baseDir, "CERTIFICATE", caFix);
        }
        boolean verifyHostname = !section.has("verify_hostname")
                || ConfigValues.bool(section.key("verify_hostname"), section.get("verify_hostname"));
        return new BackendTls(ca, verifyHostname);
    }

    /** A file named by {@code key}: resolved against {@code baseDir}, present, a regular file. */
    private static Path existingFile(String key, JsonNode node, Path baseDir, String fix) throws ConfigException {
        String text = ConfigValues.text(key, node, fix);
        Path path;
        try {
            path = baseDir.toAbsolutePath().resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(key, ConfigValues.quote(text) + " is not a file path", fix);
        }
        if (!Files.exists(path)) {
            throw new ConfigException(key, path + " does not exist", fix);
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(key, path + " is not a regular file", fix);
        }
        return path;
    }

    private static long fileSize(String key, Path path, String fix) throws ConfigException {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
    }

    /** {@link #existingFile} that is readable PEM with a block of {@code type} ({@link #requirePem}). */
    private static Path pemFile(String key, JsonNode node, Path baseDir, String type, String fix)
            throws ConfigException {
        Path path = existingFile(key, node, baseDir, fix);
        requirePem(key, path, type, fix);
        return path;
    }

    /** Checks that {@code path} is readable PEM with a block of {@code type}, and says how to convert the usual others. */
    private static void requirePem(String key, Path path, String type, String fix) throws ConfigException {
        String text;
        try {
            text = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            throw new ConfigException(key, path + " is not readable", "let the user that runs kerbgate read it");
        } catch (IOException e) {
            throw new ConfigException(key, path + " cannot be read (" + e.getMessage() + ")", fix, e);
        }
        if (text.contains("-----BEGIN " + type + "-----")) {
            return;
        }
        if (type.equals("PRIVATE KEY") && text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new ConfigException(key, path + " is an encrypted key", "decrypt it (openssl pkcs8 -in " + path
                    + " -out plain.pem) and let only kerbgate's user read the result");
        }
        if (type.equals("PRIVATE KEY") && text.matches("(?s).*-----BEGIN (RSA|EC) PRIVATE KEY-----.*")) {
            throw new ConfigException(key, path + " is a PKCS#1/SEC1 key, not PKCS#8",
                    "convert it: openssl pkcs8 -topk8 -nocrypt -in " + path + " -out privkey.pem");
        }
        throw new ConfigException(key, path + " holds no PEM " + type, fix);
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

    private static Acceptor acceptor(YamlSection section, Path baseDir) throws ConfigException {
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
        GatewayConfig.Pac pac = GatewayConfig.Pac.OFF;
        JsonNode pacNode = section.get("pac");
        if (pacNode != null && pacNode.isBoolean() && !pacNode.booleanValue()) {
            pac = GatewayConfig.Pac.OFF; // YAML 1.1 reads an unquoted off as false
        } else if (section.has("pac")) {
            String value = ConfigValues.text(section.key("pac"), section.get("pac"), "use off, verify or require");
            pac = switch (value) {
                case "off" -> GatewayConfig.Pac.OFF;
                case "verify" -> GatewayConfig.Pac.VERIFY;
                case "require" -> GatewayConfig.Pac.REQUIRE;
                default -> throw new ConfigException(section.key("pac"), "\"" + value + "\" is not a PAC mode",
                        "use off, verify (check a PAC when present, use its groups) or require");
            };
        }
        int perPrincipal = replayShare(section, "replay_cache_max_entries_per_principal", replayEntries,
                Acceptor.defaultPerPrincipal(replayEntries), "principal");
        int perAddress = replayShare(section, "replay_cache_max_entries_per_address", replayEntries,
                Acceptor.defaultPerAddress(replayEntries), "source address");
        Path replayFile = section.has("replay_cache_file") ? replayFile(section, baseDir) : null;
        return new Acceptor(allowRc4, replayEntries, realms, pac, perPrincipal, perAddress, replayFile);
    }

    /** A share of the replay cache: at most half of it, so that one requester can never fill it (issue #11 item 5). */
    private static int replayShare(YamlSection section, String name, int maxEntries, int defaultShare, String who)
            throws ConfigException {
        if (!section.has(name)) {
            return defaultShare;
        }
        int half = Math.max(1, maxEntries / 2);
        JsonNode node = section.get(name);
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() > half) {
            throw new ConfigException(section.key(name), node.longValue() + " is more than half of"
                    + " acceptor.replay_cache_max_entries (" + maxEntries + "): one " + who + " could fill the cache"
                    + " and refuse everyone", "set it to at most " + half + " (default " + defaultShare
                    + "), or raise replay_cache_max_entries");
        }
        return ConfigValues.integer(section.key(name), node, 1, half);
    }

    /** The replay file: its directory must exist and be writable by the gateway at start. */
    private static Path replayFile(YamlSection section, Path baseDir) throws ConfigException {
        String key = section.key("replay_cache_file");
        Path file = baseDir.resolve(ConfigValues.text(key, section.get("replay_cache_file"),
                "give a file in a state directory, e.g. /var/lib/kerbgate/replay.cache")).normalize();
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ConfigException(key, "directory " + dir + " does not exist",
                    "create it, writable by the gateway's user (e.g. /var/lib/kerbgate, StateDirectory=kerbgate in"
                            + " systemd), or remove the key");
        }
        if (!Files.isWritable(dir) || Files.exists(file) && !Files.isWritable(file)) {
            throw new ConfigException(key, (Files.exists(file) ? file : dir) + " is not writable",
                    "make it writable by the gateway's user, or point replay_cache_file at a state directory");
        }
        if (Files.isDirectory(file)) {
            throw new ConfigException(key, file + " is a directory", "name a file in it, e.g. " + file.resolve(
                    "replay.cache"));
        }
        return file;
    }

    static Duration duration(YamlSection section, String name, Duration max, String rangeFix)
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

    /** As {@link #duration}, where 0 is allowed and turns the feature off. */
    static Duration durationOrZero(YamlSection section, String name, Duration max, String rangeFix)
            throws ConfigException {
        String key = section.key(name);
        Duration duration = ConfigValues.duration(key, section.get(name));
        if (duration.compareTo(max) > 0) {
            throw new ConfigException(key, ConfigValues.formatDuration(duration) + " is more than "
                    + ConfigValues.formatDuration(max), rangeFix);
        }
        return duration;
    }

    private static Path keytab(String key, JsonNode node, Path baseDir) throws ConfigException {
        Path path = existingFile(key, node, baseDir, KEYTAB_FIX);
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
        ConfigValues.requirePrivate(key, path);
        return path;
    }

    /** A section of the file, bound to its record; absent or empty, the record's defaults. */
    private static <T> T bind(YamlSection parent, String name, Class<T> type, Path baseDir) throws ConfigException {
        return SectionBinder.bind(parent.get(name), type, parent.key(name), baseDir);
    }

    private static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() == 0 || a.getPort() != b.getPort()) {
            return false;
        }
        return a.getAddress().equals(b.getAddress())
                || a.getAddress().isAnyLocalAddress() || b.getAddress().isAnyLocalAddress();
    }

    @FunctionalInterface
    interface Converter<T> {
        T convert(String key, JsonNode node) throws ConfigException;
    }

    static <T> List<T> distinctList(YamlSection section, String name, Converter<T> converter, String fix)
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
        SharedStoreConfig.write(config.replay().shared(), root.putObject("replay"));
        ObjectNode keys = root.putObject("keys");
        keys.put("grace", ConfigValues.formatDuration(config.keys().grace()));
        keys.put("poll_interval", ConfigValues.formatDuration(config.keys().pollInterval()));
        if (config.keys().stateDir() != null) {
            keys.put("state_dir", config.keys().stateDir().toString());
        }
        OperationsConfig.write(config, root);
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
        SessionsConfig.write(config.sessions(), root);
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

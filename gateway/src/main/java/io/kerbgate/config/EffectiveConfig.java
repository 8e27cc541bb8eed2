package io.kerbgate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.GatewayConfig.Assertion;
import io.kerbgate.config.GatewayConfig.BackendOptions;
import io.kerbgate.config.GatewayConfig.Health;
import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.replay.SharedStoreSettings;
import io.kerbgate.config.GatewayConfig.Route;
import io.kerbgate.config.GatewayConfig.Sessions;
import io.kerbgate.config.GatewayConfig.Sessions.Cookie;
import io.kerbgate.config.GatewayConfig.Tls;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The effective config written back as the file would say it ({@link ConfigLoader#toRedactedTree}): every key, with
 * the defaults filled in, secrets as their paths and a password in a URI redacted.
 */
final class EffectiveConfig {

    private static final YAMLMapper WRITER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    private EffectiveConfig() {}

    static ObjectNode tree(GatewayConfig config) {
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
        writeShared(config.replay().shared(), root.putObject("replay"));
        ObjectNode keys = root.putObject("keys");
        keys.put("grace", ConfigValues.formatDuration(config.keys().grace()));
        keys.put("poll_interval", ConfigValues.formatDuration(config.keys().pollInterval()));
        if (config.keys().stateDir() != null) {
            keys.put("state_dir", config.keys().stateDir().toString());
        }
        writeOperations(config, root);
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
        writeSessions(config.sessions(), root);
        if (config.proxyProtocol() == null) {
            root.putNull("proxy_protocol");
        } else {
            ArrayNode from = root.putObject("proxy_protocol").putArray("from");
            config.proxyProtocol().from().forEach(range -> from.add(range.toString()));
        }
        if (config.forwardAuth() == null) {
            root.putNull("forward_auth");
        } else {
            ObjectNode forwardAuth = root.putObject("forward_auth");
            ArrayNode trusted = forwardAuth.putArray("trusted_from");
            config.forwardAuth().trustedFrom().forEach(range -> trusted.add(range.toString()));
            if (config.forwardAuth().pathPrefix() != null) {
                forwardAuth.put("path_prefix", config.forwardAuth().pathPrefix());
            }
        }
        writeBasic(config.basic(), root);
        GatewayConfig.Delegation delegation = config.delegation();
        if (delegation == null) {
            root.putNull("delegation");
        } else {
            ObjectNode d = root.putObject("delegation")
                    .put("spn", delegation.spn())
                    .put("principal", delegation.principal())
                    .put("keytab", delegation.keytab().toString())
                    .put("max_entries", delegation.maxEntries())
                    .put("renew_before", ConfigValues.formatDuration(delegation.renewBefore()));
            if (delegation.krb5Conf() != null) {
                d.put("krb5_conf", delegation.krb5Conf().toString());
            }
        }
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
            writeGroupNames(identity.groupNames(), tree.putObject("group_names"));
        }
        if (identity.groupNamesHeader() != null) {
            tree.put("group_names_header", identity.groupNamesHeader());
        }
        return tree;
    }

    static String yaml(GatewayConfig config) {
        try {
            return WRITER.writeValueAsString(tree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings, numbers and lists cannot fail to serialize", e);
        }
    }

    /** {@code replay.shared}, its URI without the password; {@code shared: null} when there is none. */
    private static void writeShared(@Nullable SharedStoreSettings shared, ObjectNode replay) {
        if (shared == null) {
            replay.putNull("shared");
            return;
        }
        ObjectNode node = replay.putObject("shared");
        node.put("uri", shared.redactedUri());
        if (shared.passwordFile() != null) {
            node.put("password_file", shared.passwordFile().toString());
        }
        if (shared.sentinelPasswordFile() != null) {
            node.put("sentinel_password_file", shared.sentinelPasswordFile().toString());
        }
        node.put("fail", shared.fail().configName());
        node.put("timeout", ConfigValues.formatDuration(shared.timeout()));
        node.put("circuit_failures", shared.circuitFailures());
        node.put("circuit_cooldown", ConfigValues.formatDuration(shared.circuitCooldown()));
        node.put("min_replicas_ack", shared.minReplicasAck());
        node.put("failover_wait", ConfigValues.formatDuration(shared.failoverWait()));
    }

    // Like tls: written only when it is on.
    private static void writeBasic(GatewayConfig.@Nullable Basic basic, ObjectNode root) {
        if (basic == null) {
            return;
        }
        ObjectNode node = root.putObject("basic");
        node.put("enabled", true);
        node.put("realm", basic.realm());
        node.put("service", basic.service());
        if (basic.krb5Conf() != null) {
            node.put("krb5_conf", basic.krb5Conf().toString());
        }
        node.putObject("per_principal").put("attempts", basic.perPrincipal().attempts())
                .put("per", ConfigValues.formatDuration(basic.perPrincipal().per()));
        node.putObject("per_source").put("attempts", basic.perSource().attempts())
                .put("per", ConfigValues.formatDuration(basic.perSource().per()));
        node.put("success_cache", ConfigValues.formatDuration(basic.successCache()));
        node.put("failure_cache", ConfigValues.formatDuration(basic.failureCache()));
    }

    private static void writeSessions(Sessions sessions, ObjectNode root) {
        ObjectNode node = root.putObject("sessions");
        node.put("connection_bound", sessions.connectionBound());
        writeCookie(sessions.cookie(), node);
    }

    // Like tls: an absent cookie is not written, so the admin view and the configs only show it when it is on.
    private static void writeCookie(@Nullable Cookie cookie, ObjectNode sessions) {
        if (cookie == null) {
            return;
        }
        ObjectNode node = sessions.putObject("cookie");
        node.put("name", cookie.name());
        node.put("key_file", cookie.keyFile().toString());
        node.put("max_age", ConfigValues.formatDuration(cookie.maxAge()));
        node.put("secure", cookie.secure());
    }

    /** {@code logging} and {@code routes}. */
    private static void writeOperations(GatewayConfig config, ObjectNode root) {
        root.putObject("logging").put("format", config.logging().format().name().toLowerCase(Locale.ROOT));
        ArrayNode routes = root.putArray("routes");
        for (Route route : config.routes()) {
            ObjectNode r = routes.addObject();
            r.put("name", route.name());
            r.put("path", route.path());
            if (route.host() != null) {
                r.put("host", route.host());
            }
            if (route.anonymous()) {
                r.put("anonymous", true);
            }
            writePrincipals(r, "allow", route.allow());
            writePrincipals(r, "deny", route.deny());
        }
    }

    private static void writePrincipals(ObjectNode route, String name, @Nullable Principals set) {
        if (set == null) {
            return;
        }
        ObjectNode node = route.putObject(name);
        set.principals().forEach(node.putArray("principals")::add);
        set.realms().forEach(node.putArray("realms")::add);
        set.regex().forEach(node.putArray("regex")::add);
        if (!set.groups().isEmpty()) {
            set.groups().forEach(node.putArray("groups")::add);
        }
    }

    /** {@code identity.group_names}: paths only, never the password. */
    private static void writeGroupNames(GroupNamesConfig names, ObjectNode tree) {
        tree.put("ldap", names.ldap().toString());
        tree.putObject("bind").put("dn", names.bindDn()).put("password_file", names.passwordFile().toString());
        if (names.ca() != null) {
            tree.put("ca", names.ca().toString());
        }
        tree.put("base_dn", names.baseDn());
        tree.put("cache_ttl", ConfigValues.formatDuration(names.cacheTtl()));
        tree.put("cache_max_entries", names.cacheMaxEntries());
    }
}

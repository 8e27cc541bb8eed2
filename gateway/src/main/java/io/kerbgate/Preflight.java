package io.kerbgate;

import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabException;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.proxy.ProxyServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code run} checks of a loaded config before it binds anything, and what {@code check-config} and a reload
 * (SIGHUP) check too, so that a config that passes {@code check-config} starts, and a reload that passes is one that
 * a restart would take:
 * <ol>
 *   <li>the keytab is readable, is a keytab, and holds a key for every configured principal (or any key at all
 *       when {@code principals} is empty), as {@link KeyRing#update} demands at start; with {@code keys.state_dir}
 *       only if it is configured and present, since such a node may start before it has keys;
 *   <li>the proxy builds: timeouts, header limit, backends and {@code backend_tls}, {@code tls} certificate and key,
 *       the session cookie's key file, {@code routes} and {@code identity}, by constructing the {@link ProxyServer}
 *       that {@code run} constructs (binding nothing) and closing it;
 *   <li>with {@code delegation}, its keytab holds a key for the principal the gateway logs in as.
 * </ol>
 * Left to {@code run}: binding {@code listen} and {@code admin.listen}, locking {@code acceptor.replay_cache_file},
 * and reaching what is only reached at run time (backends, {@code replay.shared}, LDAP); those failures exit 1.
 */
public final class Preflight {

    /** The dotted key a component's message starts with, e.g. {@code sessions.cookie.key_file: ...}. */
    private static final Pattern LEADING_KEY = Pattern.compile("^([a-z][a-zA-Z0-9_]*(?:\\.[a-zA-Z0-9_]+|\\[\\d+])*)[: ]");

    private Preflight() {}

    /** @throws ConfigException naming the key at fault, in one line, as a bad file would */
    public static void check(GatewayConfig config) throws ConfigException {
        keytab(config);
        delegation(config);
        proxy(config);
    }

    /**
     * With {@code delegation}, its keytab holds a key for its principal (the gateway logs in with it); offline: the
     * login itself, which needs the KDC, is tried at the first request that needs a backend ticket.
     */
    private static void delegation(GatewayConfig config) throws ConfigException {
        GatewayConfig.Delegation delegation = config.delegation();
        if (delegation == null || (config.keys().stateDir() != null && !Files.exists(delegation.keytab()))) {
            return;
        }
        List<KeytabEntry> entries;
        try {
            entries = KeytabFile.parse(Files.readAllBytes(delegation.keytab()));
        } catch (IOException | KeytabException e) {
            throw new ConfigException("delegation.keytab", delegation.keytab() + " cannot be read as a keytab: "
                    + e.getMessage(), "point delegation.keytab at the keytab with the gateway principal's key");
        }
        if (entries.stream().noneMatch(entry -> entry.principal().equals(delegation.principal()))) {
            throw new ConfigException("delegation.principal", "no key in " + delegation.keytab() + " for "
                    + delegation.principal() + ", which the gateway logs in as",
                    "export that principal's key into the keytab, or set delegation.principal to one it holds");
        }
    }

    private static void keytab(GatewayConfig config) throws ConfigException {
        Path keytab = config.keytab();
        if (config.keys().stateDir() != null && (keytab == null || !Files.exists(keytab))) {
            // A node with a state directory starts without keys (503 until keys init/add-node installs them), and
            // its configured keytab is optional; KeyStateStore and the watcher check what is there at start.
            return;
        }
        String fix = "check the path, and that the user kerbgate runs as can read it (this check ran as "
                + System.getProperty("user.name") + ")";
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(keytab);
        } catch (NoSuchFileException e) {
            throw new ConfigException("keytab", keytab + " does not exist", fix);
        } catch (AccessDeniedException e) {
            throw new ConfigException("keytab", keytab + " is not readable (permission denied)", fix);
        } catch (IOException e) {
            throw new ConfigException("keytab", keytab + " cannot be read (" + e + ")", fix);
        }
        List<KeytabEntry> entries;
        try {
            entries = KeytabFile.parse(bytes);
        } catch (KeytabException e) {
            throw new ConfigException("keytab", keytab + " is not a valid keytab: " + e.getMessage(),
                    "export it again (ktadd -k, or kerbgate keys add-node)");
        }
        Set<String> missing = new LinkedHashSet<>(config.principals());
        entries.forEach(entry -> missing.remove(entry.principal()));
        if (!missing.isEmpty()) {
            Set<String> held = new LinkedHashSet<>();
            entries.forEach(entry -> held.add(entry.principal()));
            throw new ConfigException("principals", "no key in " + keytab + " for " + String.join(", ", missing)
                    + " (it holds " + (held.isEmpty() ? "no keys" : String.join(", ", held)) + ")",
                    "add the key to the keytab, or list only principals it holds");
        }
        try {
            // The ring run builds, on a throwaway: whatever else it refuses at start, it refuses here.
            new KeyRing(config.principals(), config.keys().grace(), Clock.systemUTC()).update(entries);
        } catch (KeytabException e) {
            throw new ConfigException("keytab", keytab + ": " + e.getMessage(), "export the array's key into it");
        }
    }

    private static void proxy(GatewayConfig config) throws ConfigException {
        HttpAuthenticator never = (authorization, peer, bindings) -> {
            throw new IllegalStateException("the preflight's proxy serves no requests");
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try {
            new ProxyServer(config, never, registry).close();
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            Matcher key = LEADING_KEY.matcher(message);
            throw new ConfigException(key.find() ? key.group(1) : "", message,
                    "correct it and run kerbgate check-config again", e);
        } finally {
            registry.close();
        }
    }
}

package io.kerbgate.config;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kerbgate.config.GatewayConfig.Acceptor;
import io.kerbgate.config.GatewayConfig.Pac;
import io.kerbgate.config.Scalars.Range;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@code acceptor} section as it is written. The two per-requester shares are bound as nodes: their bound is half
 * of {@code replay_cache_max_entries}, so they are checked here, with the sibling at hand.
 */
record AcceptorSection(
        @Nullable Boolean allowRc4,
        @Range(min = AcceptorSection.MIN_REPLAY_ENTRIES, max = AcceptorSection.MAX_REPLAY_ENTRIES)
        @Nullable Integer replayCacheMaxEntries,
        @Nullable JsonNode replayCacheMaxEntriesPerPrincipal,
        @Nullable JsonNode replayCacheMaxEntriesPerAddress,
        @Fix(AcceptorSection.REPLAY_FILE_FIX) @JsonDeserialize(using = Scalars.ResolvedPath.class)
        @Nullable Path replayCacheFile,
        @Fix("write allowed_client_realms: [EXAMPLE.COM], or [] for any realm")
        @JsonDeserialize(contentUsing = Scalars.Realm.class) @Nullable List<String> allowedClientRealms,
        @JsonDeserialize(using = AcceptorSection.PacMode.class) @Nullable Pac pac) {

    static final int MIN_REPLAY_ENTRIES = 1_000;
    static final int MAX_REPLAY_ENTRIES = 100_000_000;
    static final String REPLAY_FILE_FIX = "give a file in a state directory, e.g. /var/lib/kerbgate/replay.cache";

    AcceptorSection {
        allowRc4 = allowRc4 != null && allowRc4;
        replayCacheMaxEntries = replayCacheMaxEntries == null
                ? Acceptor.DEFAULT.replayCacheMaxEntries() : replayCacheMaxEntries;
        allowedClientRealms = Checks.distinct("allowed_client_realms", allowedClientRealms);
        pac = pac == null ? Pac.OFF : pac;
        if (replayCacheFile != null) {
            replayFile(replayCacheFile);
        }
        perPrincipal(replayCacheMaxEntries, replayCacheMaxEntriesPerPrincipal);
        perAddress(replayCacheMaxEntries, replayCacheMaxEntriesPerAddress);
    }

    Acceptor acceptor() {
        return new Acceptor(allowRc4, replayCacheMaxEntries, allowedClientRealms, pac,
                perPrincipal(replayCacheMaxEntries, replayCacheMaxEntriesPerPrincipal),
                perAddress(replayCacheMaxEntries, replayCacheMaxEntriesPerAddress), replayCacheFile);
    }

    private static int perPrincipal(int max, @Nullable JsonNode node) {
        return replayShare("replay_cache_max_entries_per_principal", node, max, Acceptor.defaultPerPrincipal(max),
                "principal");
    }

    private static int perAddress(int max, @Nullable JsonNode node) {
        return replayShare("replay_cache_max_entries_per_address", node, max, Acceptor.defaultPerAddress(max),
                "source address");
    }

    /** A share of the replay cache: at most half of it, so that one requester can never fill it (issue #11 item 5). */
    private static int replayShare(String key, @Nullable JsonNode node, int maxEntries, int defaultShare, String who) {
        if (node == null || node.isNull()) {
            return defaultShare;
        }
        int half = Math.max(1, maxEntries / 2);
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() > half) {
            throw new InvalidValue(key, node.longValue() + " is more than half of"
                    + " acceptor.replay_cache_max_entries (" + maxEntries + "): one " + who + " could fill the cache"
                    + " and refuse everyone", "set it to at most " + half + " (default " + defaultShare
                    + "), or raise replay_cache_max_entries");
        }
        return InvalidValue.check(() -> ConfigValues.integer(key, node, 1, half));
    }

    /** The replay file: its directory must exist and be writable by the gateway at start. */
    private static void replayFile(Path file) {
        String key = "replay_cache_file";
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new InvalidValue(key, "directory " + dir + " does not exist",
                    "create it, writable by the gateway's user (e.g. /var/lib/kerbgate, StateDirectory=kerbgate in"
                            + " systemd), or remove the key");
        }
        if (!Files.isWritable(dir) || Files.exists(file) && !Files.isWritable(file)) {
            throw new InvalidValue(key, (Files.exists(file) ? file : dir) + " is not writable",
                    "make it writable by the gateway's user, or point replay_cache_file at a state directory");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidValue(key, file + " is a directory", "name a file in it, e.g. " + file.resolve(
                    "replay.cache"));
        }
    }

    /** {@code off}, {@code verify} or {@code require}. */
    static final class PacMode extends NodeReader<Pac> {
        @Override
        protected Pac convert(JsonNode node, DeserializationContext ctxt) throws ConfigException {
            if (node.isBoolean() && !node.booleanValue()) {
                return Pac.OFF; // YAML 1.1 reads an unquoted off as false
            }
            String value = ConfigValues.text("", node, "use off, verify or require");
            return switch (value) {
                case "off" -> Pac.OFF;
                case "verify" -> Pac.VERIFY;
                case "require" -> Pac.REQUIRE;
                default -> throw new ConfigException("", "\"" + value + "\" is not a PAC mode",
                        "use off, verify (check a PAC when present, use its groups) or require");
            };
        }
    }
}

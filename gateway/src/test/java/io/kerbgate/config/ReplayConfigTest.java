package io.kerbgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acceptor's replay-cache keys: shares (issue #11 item 5) and the replay file (item 8). */
final class ReplayConfigTest {
    @TempDir
    Path dir;

    @BeforeEach
    void keytab() throws IOException {
        ConfigFixture.writeKeytab(dir);
    }

    @Test
    void shares_default_to_a_tenth_and_a_quarter_of_the_bound_and_no_file() throws ConfigException {
        GatewayConfig.Acceptor a = ConfigFixture.parse(ConfigFixture.REQUIRED
                + "acceptor:\n  replay_cache_max_entries: 1000\n", dir).acceptor();
        assertEquals(100, a.replayCacheMaxEntriesPerPrincipal());
        assertEquals(250, a.replayCacheMaxEntriesPerAddress());
        assertNull(a.replayCacheFile());
    }

    @Test
    void a_share_over_half_the_bound_names_the_key_and_the_fix() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED + """
                acceptor:
                  replay_cache_max_entries: 1000
                  replay_cache_max_entries_per_principal: 501
                """, dir);
        assertEquals("acceptor.replay_cache_max_entries_per_principal", e.key());
        assertTrue(e.problem().contains("more than half of acceptor.replay_cache_max_entries (1000)"), e.problem());
        assertTrue(e.fix().contains("at most 500"), e.fix());
    }

    @Test
    void a_zero_address_share_is_refused() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "acceptor:\n  replay_cache_max_entries_per_address: 0\n", dir);
        assertEquals("acceptor.replay_cache_max_entries_per_address", e.key());
    }

    @Test
    void replay_file_resolves_against_the_config_directory() throws ConfigException {
        GatewayConfig.Acceptor a = ConfigFixture.parse(ConfigFixture.REQUIRED
                + "acceptor:\n  replay_cache_file: replay.cache\n", dir).acceptor();
        assertEquals(dir.resolve("replay.cache"), a.replayCacheFile());
    }

    @Test
    void replay_file_in_a_missing_directory_fails_at_load_naming_the_fix() {
        ConfigException e = ConfigFixture.error(ConfigFixture.REQUIRED
                + "acceptor:\n  replay_cache_file: " + dir.resolve("nope/replay.cache") + "\n", dir);
        assertEquals("acceptor.replay_cache_file", e.key());
        assertTrue(e.problem().contains("does not exist"), e.problem());
        assertTrue(e.fix().contains("/var/lib/kerbgate"), e.fix());
    }
}

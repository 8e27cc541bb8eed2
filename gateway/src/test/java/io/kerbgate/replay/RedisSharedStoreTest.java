package io.kerbgate.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the configured URI and password become the client's connection settings; no server needed. */
final class RedisSharedStoreTest {

    @TempDir
    Path dir;

    private static RedisURI redisUri(String uri, char[] password) {
        return RedisSharedStore.redisUri(SharedStoreSettings.of(URI.create(uri)), password, null);
    }

    private static RedisCredentials credentials(RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis://h                | h   | 6379 | 0  | false",
        "redis://h:6380/3         | h   | 6380 | 3  | false",
        "rediss://h/15            | h   | 6379 | 15 | true",
        "REDISS://h:1/            | h   | 1    | 0  | true",
        "redis://[::1]:6379/2     | ::1 | 6379 | 2  | false",
    })
    void hostPortDatabaseTls(String uri, String host, int port, int database, boolean tls) {
        RedisURI redis = redisUri(uri, null);

        assertEquals(host, redis.getHost());
        assertEquals(port, redis.getPort());
        assertEquals(database, redis.getDatabase());
        assertEquals(tls, redis.isSsl());
        assertFalse(credentials(redis).hasPassword());
    }

    @Test
    void passwordOnly_inTheUri_percentDecoded() {
        RedisCredentials credentials = credentials(redisUri("redis://:p%40ss+word@h/0", null));

        assertFalse(credentials.hasUsername());
        assertArrayEquals("p@ss+word".toCharArray(), credentials.getPassword());
    }

    @Test
    void userAndPassword_inTheUri() {
        RedisCredentials credentials = credentials(redisUri("redis://gateway:s3cret@h/0", null));

        assertEquals("gateway", credentials.getUsername());
        assertArrayEquals("s3cret".toCharArray(), credentials.getPassword());
    }

    @Test
    void userInTheUri_passwordFromTheFile() {
        RedisCredentials credentials = credentials(redisUri("redis://gateway@h/0", "from-file".toCharArray()));

        assertEquals("gateway", credentials.getUsername());
        assertArrayEquals("from-file".toCharArray(), credentials.getPassword());
    }

    @Test
    void passwordFile_oneTrailingLineBreakIsNotPartOfIt() throws Exception {
        assertArrayEquals("pw".toCharArray(), ReplayCaches.readPassword(Files.writeString(dir.resolve("a"), "pw\n")));
        assertArrayEquals("pw".toCharArray(), ReplayCaches.readPassword(Files.writeString(dir.resolve("b"), "pw\r\n")));
        assertArrayEquals("pw\n".toCharArray(),
                ReplayCaches.readPassword(Files.writeString(dir.resolve("c"), "pw\n\n")));
        assertArrayEquals(" pw ".toCharArray(), ReplayCaches.readPassword(Files.writeString(dir.resolve("d"), " pw ")));
    }

    @Test
    void sentinel_theSentinelsTheMasterAndTheDataNodesPassword() {
        RedisURI redis = RedisSharedStore.redisUri(
                SharedStoreSettings.of(URI.create("redis-sentinel://:data@s1:26380,s2,10.0.0.3:5/3#mymaster")), null,
                "sentinels".toCharArray());

        assertEquals("mymaster", redis.getSentinelMasterId());
        assertEquals(List.of("s1:26380", "s2:26379", "10.0.0.3:5"),
                redis.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort()).toList());
        assertEquals(3, redis.getDatabase());
        assertFalse(redis.isSsl());
        assertArrayEquals("data".toCharArray(), credentials(redis).getPassword());
        for (RedisURI sentinel : redis.getSentinels()) {
            assertArrayEquals("sentinels".toCharArray(), credentials(sentinel).getPassword(), sentinel.toString());
        }
    }

    @Test
    void sentinel_withoutASentinelPassword_theSentinelsGetNone() {
        RedisURI redis = RedisSharedStore.redisUri(SharedStoreSettings.of(URI.create("rediss-sentinel://s1,s2/0#m")),
                "data".toCharArray(), null);

        assertArrayEquals("data".toCharArray(), credentials(redis).getPassword());
        assertTrue(redis.isSsl());
        for (RedisURI sentinel : redis.getSentinels()) {
            assertFalse(credentials(sentinel).hasPassword(), sentinel.toString());
            assertTrue(sentinel.isSsl(), "TLS to the sentinels too");
        }
    }

    @Test
    void retriedOnlyWhenCertainlyNotApplied() {
        assertTrue(RedisSharedStore.notApplied(new RedisException("Currently not connected. Commands are rejected.")));
        assertTrue(RedisSharedStore.notApplied(
                new RedisCommandExecutionException("READONLY You can't write against a read only replica.")));
        assertTrue(RedisSharedStore.notApplied(new RedisConnectionException("Unable to connect to 127.0.0.1:1")));

        assertFalse(RedisSharedStore.notApplied(new RedisException("Connection closed")), "may have been applied");
        assertFalse(RedisSharedStore.notApplied(new RedisException("Connection disconnected")));
        assertFalse(RedisSharedStore.notApplied(new RedisCommandExecutionException("OOM command not allowed")));
        assertFalse(RedisSharedStore.notApplied(
                new RedisSharedStore.ReplicasMissingException("WAIT failed: Currently not connected")),
                "the SET before a failed WAIT was applied");
    }

    @Test
    void describe_sentinel_namesSentinelsAndMaster_neverTheCredentials() {
        assertEquals("redis-sentinel://s1:26379,s2:1/0#mymaster",
                RedisSharedStore.describe(SharedStoreSettings.of(URI.create("redis-sentinel://:pw@s1,s2:1/0#mymaster"))));
    }

    @Test
    void describe_namesHostPortDatabase_neverTheCredentials() {
        String shown = RedisSharedStore.describe(SharedStoreSettings.of(URI.create("rediss://gateway:s3cret@[::1]:6380/4")));

        assertEquals("rediss://[::1]:6380/4", shown);
    }
}

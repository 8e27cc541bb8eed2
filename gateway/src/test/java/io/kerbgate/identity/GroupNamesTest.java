package io.kerbgate.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.pac.Sid;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link GroupNames} with a directory in memory; the LDAP side is tested against Samba in the AD end-to-end test. */
final class GroupNamesTest {

    private static final String DOMAIN = "S-1-5-21-1004336348-1177238915-682003330";
    private static final String WEB_USERS = DOMAIN + "-1104";
    private static final String DOMAIN_USERS = DOMAIN + "-513";
    private static final String ADMINISTRATORS = "S-1-5-32-544";

    private final List<Set<String>> lookups = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> directory = new HashMap<>(Map.of(WEB_USERS, "web-users",
            DOMAIN_USERS, "Domain Users"));

    private GroupNames names(GroupNames.Directory d) {
        return new GroupNames(d, Duration.ofMinutes(10), 100, Duration.ofMillis(200));
    }

    private final GroupNames.Directory inMemory = sids -> {
        lookups.add(Set.copyOf(sids));
        Map<String, String> found = new HashMap<>();
        sids.forEach(s -> {
            if (directory.containsKey(s)) {
                found.put(s, directory.get(s));
            }
        });
        return found;
    };

    private static List<String> awaitCached(GroupNames names, List<String> sids) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            List<String> cached = names.cachedNames(sids);
            if (cached != null) {
                return cached;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never cached");
    }

    @Test
    void miss_answersNull_andFillsTheCache_thenHitsAnswerInOrder() throws Exception {
        try (GroupNames names = names(inMemory)) {
            List<String> sids = List.of(DOMAIN_USERS, WEB_USERS);

            assertNull(names.cachedNames(sids), "a miss never waits for the directory");
            assertEquals(List.of("Domain Users", "web-users"), awaitCached(names, sids));
            assertEquals(List.of("web-users"), names.cachedNames(List.of(WEB_USERS)));
            assertEquals(1, lookups.size(), "one lookup for both SIDs: " + lookups);
        }
    }

    @Test
    void sidWithoutAName_isLeftOut_andItsAbsenceCached() throws Exception {
        try (GroupNames names = names(inMemory)) {
            List<String> sids = List.of(ADMINISTRATORS, WEB_USERS);

            assertEquals(List.of("web-users"), names.names(sids).get(5, TimeUnit.SECONDS));
            assertEquals(List.of("web-users"), names.cachedNames(sids));
            assertEquals(1, lookups.size(), lookups.toString());
        }
    }

    @Test
    void concurrentMisses_lookASidUpOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        GroupNames.Directory slow = sids -> {
            calls.incrementAndGet();
            release.await(5, TimeUnit.SECONDS);
            return inMemory.names(sids);
        };
        try (GroupNames names = names(slow)) {
            for (int i = 0; i < 50; i++) {
                assertNull(names.cachedNames(List.of(WEB_USERS)));
            }
            release.countDown();
            assertEquals(List.of("web-users"), awaitCached(names, List.of(WEB_USERS)));
            assertEquals(1, calls.get());
        }
    }

    @Test
    void failedLookup_isNotCached_andRetriedOnlyAfterThePause() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        GroupNames.Directory flaky = sids -> {
            if (calls.incrementAndGet() == 1) {
                throw new javax.naming.CommunicationException("dc1: connection refused");
            }
            return inMemory.names(sids);
        };
        try (GroupNames names = names(flaky)) {
            assertNull(names.cachedNames(List.of(WEB_USERS)));
            for (int i = 0; i < 100 && calls.get() == 0; i++) {
                Thread.sleep(5);
            }
            Thread.sleep(50);
            assertNull(names.cachedNames(List.of(WEB_USERS)), "no names while the directory is out");
            assertEquals(1, calls.get(), "no new lookup within the pause");
            Thread.sleep(250);
            assertEquals(List.of("web-users"), awaitCached(names, List.of(WEB_USERS)));
            assertEquals(2, calls.get());
        }
    }

    @Test
    void headerSafe_encodesWhatCouldSplitOrFoldTheHeader() {
        assertEquals("web-users", GroupNames.headerSafe("web-users"));
        assertEquals("Domain Users", GroupNames.headerSafe("Domain Users"));
        assertEquals("a%2Cb%0D%0Ac%25", GroupNames.headerSafe("a,b\r\nc%"));
        assertEquals("%20x%20", GroupNames.headerSafe(" x "));
        assertEquals("caf%C3%A9", GroupNames.headerSafe("café"));
    }

    @Test
    void identityHeaders_forwardNames_whenCached_andStripClientCopies() throws Exception {
        try (GroupNames names = names(inMemory)) {
            IdentityHeaders identity = new IdentityHeaders("X-Remote-User", "X-Remote-Groups",
                    "X-Kerbgate-Assertion", PrincipalMapper.UNCHANGED, null, "X-Remote-Group-Names", names);
            List<String> sids = List.of(DOMAIN_USERS, WEB_USERS);
            InetAddress client = InetAddress.getLoopbackAddress();

            HttpHeaders first = new DefaultHttpHeaders().add("X-Remote-Group-Names", "Domain Admins")
                    .add("x_remote_group_names", "Domain Admins");
            identity.forward(first, "alice@AD.TEST", sids, client, "http");
            assertTrue(first.getAll("X-Remote-Group-Names").isEmpty(), "a miss forwards SIDs only: " + first);
            assertTrue(first.getAll("x_remote_group_names").isEmpty(), first.toString());

            awaitCached(names, sids);
            HttpHeaders second = new DefaultHttpHeaders();
            identity.forward(second, "alice@AD.TEST", sids, client, "http");
            assertEquals(List.of("Domain Users,web-users"), second.getAll("X-Remote-Group-Names"));
            assertEquals(List.of(DOMAIN_USERS + "," + WEB_USERS), second.getAll("X-Remote-Groups"));
        }
    }

    @Test
    void binarySid_filterValue_isMsDtypLayout() {
        assertEquals("\\01\\02\\00\\00\\00\\00\\00\\05\\20\\00\\00\\00\\20\\02\\00\\00",
                LdapGroupDirectory.filterValue(Sid.parse(ADMINISTRATORS)));
        Sid web = Sid.parse(WEB_USERS);
        byte[] bytes = LdapGroupDirectory.encode(web);
        assertEquals(8 + 4 * 5, bytes.length);
        assertEquals(web, LdapGroupDirectory.decode(bytes));
        assertEquals(WEB_USERS, LdapGroupDirectory.decode(bytes).toString());
        assertArrayEquals(bytes, LdapGroupDirectory.encode(LdapGroupDirectory.decode(bytes)));
    }
}

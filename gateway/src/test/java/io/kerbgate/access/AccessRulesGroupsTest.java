package io.kerbgate.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance.Accepted;
import io.kerbgate.access.AccessDecision.Allowed;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.config.GatewayConfig.Principals;
import io.kerbgate.config.GatewayConfig.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code groups} criterion: group SIDs from the ticket's verified PAC ({@link Accepted#groups()}). */
final class AccessRulesGroupsTest {

    private static final String DOMAIN = "S-1-5-21-1004336348-1177238915-682003330";
    private static final String WEB_USERS = DOMAIN + "-1104";
    private static final String CONTRACTORS = DOMAIN + "-1107";
    private static final String DOMAIN_USERS = DOMAIN + "-513";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Principals groups(String... sids) {
        return new Principals(List.of(), List.of(), List.of(), List.of(sids));
    }

    private static Accepted accepted(String client, String... groups) {
        return new Accepted(client, "HTTP/array.ad.test@AD.TEST", 2, 18, null, false, List.of(groups));
    }

    private AccessRules.Route route(Principals allow, Principals deny) {
        AccessRules rules = AccessRules.of(List.of(new Route("web", "/web/", null, false, allow, deny)), registry);
        try {
            return rules.route(RequestTarget.of("/web/x", null));
        } catch (RequestTarget.Invalid e) {
            throw new AssertionError(e);
        }
    }

    private double count(String decision) {
        return registry.get(AccessRules.ACCESS_REQUESTS).tag("route", "web").tag("decision", decision).counter()
                .count();
    }

    @Test
    void member_isAdmitted() {
        Accepted alice = accepted("alice@AD.TEST", DOMAIN_USERS, WEB_USERS);

        assertSame(alice, assertInstanceOf(Allowed.class, route(groups(WEB_USERS), null).authorize(alice)).accepted());
        assertEquals(1, count("allowed"));
    }

    @Test
    void anyListedGroup_admits() {
        Accepted carol = accepted("carol@AD.TEST", DOMAIN_USERS, CONTRACTORS);

        assertSame(carol, assertInstanceOf(Allowed.class, route(groups(WEB_USERS, CONTRACTORS), null).authorize(carol)).accepted());
    }

    @Test
    void nonMember_isRefusedWith403() {
        AccessDecision verdict = route(groups(WEB_USERS), null).authorize(accepted("bob@AD.TEST", DOMAIN_USERS));

        RequestRefused rejected = assertInstanceOf(RequestRefused.class, verdict);
        assertEquals(RequestReason.ACCESS_DENIED, rejected.reason());
        assertTrue(rejected.detail().contains("bob@AD.TEST may not use route 'web'"), rejected.detail());
        assertTrue(rejected.detail().contains("groups [" + WEB_USERS + "]"), rejected.detail());
        assertEquals(1, count("denied"));
    }

    @Test
    void ticketWithoutVerifiedGroups_isInNoGroup() {
        Accepted noPac = new Accepted("alice@AD.TEST", "HTTP/array.ad.test@AD.TEST", 2, 18, null, false);

        assertInstanceOf(RequestRefused.class, route(groups(WEB_USERS), null).authorize(noPac));
    }

    @Test
    void denyByGroup_refusesEvenWhenAllowMatches() {
        AccessDecision verdict = route(new Principals(List.of(), List.of("AD.TEST"), List.of()), groups(CONTRACTORS))
                .authorize(accepted("carol@AD.TEST", DOMAIN_USERS, CONTRACTORS));

        RequestRefused rejected = assertInstanceOf(RequestRefused.class, verdict);
        assertEquals(RequestReason.ACCESS_DENIED, rejected.reason());
        assertTrue(rejected.detail().endsWith("it matches deny group " + CONTRACTORS), rejected.detail());
    }

    @Test
    void denyByGroup_letsOthersThrough() {
        Accepted alice = accepted("alice@AD.TEST", DOMAIN_USERS, WEB_USERS);

        assertSame(alice, assertInstanceOf(Allowed.class, route(null, groups(CONTRACTORS)).authorize(alice)).accepted());
    }

    @Test
    void groupsAndPrincipals_inOneSet_eitherMatches() {
        Principals allow = new Principals(List.of("svc-batch@AD.TEST"), List.of(), List.of(), List.of(WEB_USERS));
        AccessRules.Route route = route(allow, null);
        Accepted batch = accepted("svc-batch@AD.TEST");
        Accepted alice = accepted("alice@AD.TEST", WEB_USERS);

        assertSame(batch, assertInstanceOf(Allowed.class, route.authorize(batch)).accepted());
        assertSame(alice, assertInstanceOf(Allowed.class, route.authorize(alice)).accepted());
        assertInstanceOf(RequestRefused.class, route.authorize(accepted("bob@AD.TEST", DOMAIN_USERS)));
    }
}

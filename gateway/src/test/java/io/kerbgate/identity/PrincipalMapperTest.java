package io.kerbgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Rule;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class PrincipalMapperTest {

    private static final List<Rule> RULES = List.of(
            new Rule("^(.*)@CORP\\.EXAMPLE\\.COM$", "$1"),
            new Rule("^([^/@]+)/admin@EXAMPLE\\.COM$", "admin-$1"),
            new Rule("@PARTNER\\.TEST$", "@partner"),
            new Rule("^ghost@.*", ""),
            new Rule("^(.*)@EXAMPLE\\.COM$", "$1.example"));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // the first rule that matches decides
        "alice@CORP.EXAMPLE.COM    | alice",
        "bob/admin@EXAMPLE.COM     | admin-bob",
        "bob@EXAMPLE.COM           | bob.example",
        // a rule replaces the first match only, like s/.../.../ in auth_to_local
        "carol@PARTNER.TEST        | carol@partner",
        // no rule: forwarded unchanged (strip_realm off)
        "dave@OTHER.TEST           | dave@OTHER.TEST",
        "HTTP/web.corp@CORP.TEST   | HTTP/web.corp@CORP.TEST",
        // a match is found anywhere unless anchored: CORP.EXAMPLE.COM.EVIL is not CORP.EXAMPLE.COM
        "eve@CORP.EXAMPLE.COM.EVIL | eve@CORP.EXAMPLE.COM.EVIL",
        // an empty result is passed over: the next rules, then the default, decide
        "ghost@EXAMPLE.COM         | ghost.example",
        "ghost@NOWHERE             | ghost@NOWHERE",
    })
    void rules(String principal, String forwarded) {
        assertEquals(forwarded, PrincipalMapper.of(new Identity("X-Remote-User", false, RULES, null)).map(principal));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "alice@ARRAY.TEST          | alice",
        "HTTP/host.test@ARRAY.TEST | HTTP/host.test",
        "alice@CORP.EXAMPLE.COM    | alice",
        "bob/admin@EXAMPLE.COM     | admin-bob",
        "ghost@NOWHERE             | ghost",
    })
    void stripRealm_appliesWhenNoRuleMatched(String principal, String forwarded) {
        assertEquals(forwarded, PrincipalMapper.of(new Identity("X-Remote-User", true, RULES, null),
                () -> KEYTAB).map(principal));
    }

    /** The keytab's principals: its realms are the local realms unless identity.local_realms says otherwise. */
    private static final Set<String> KEYTAB = Set.of("HTTP/array.example.test@ARRAY.TEST",
            "HTTP/array.example.test@NOWHERE", "HTTP/x@CORP.EXAMPLE.COM", "HTTP/x@EXAMPLE.COM");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "alice@ARRAY.TEST                | alice",
        // another realm's alice is not the local alice
        "alice@PARTNER.TEST              | alice@PARTNER.TEST",
        "alice@ARRAY.TEST.EVIL           | alice@ARRAY.TEST.EVIL",
        "alice@array.test                | alice@array.test",
        // a component that holds an @ (escaped in the display form) is never taken for the realm
        "alice\\@ARRAY.TEST@PARTNER.TEST | alice\\@ARRAY.TEST@PARTNER.TEST",
        "alice\\@PARTNER.TEST@ARRAY.TEST | alice\\@PARTNER.TEST",
        "a\\/b@ARRAY.TEST               | a\\/b",
        "a/b@ARRAY.TEST                  | a/b",
        // an escaped @ inside the realm
        "bob@ARRAY.TEST\\@X              | bob@ARRAY.TEST\\@X",
    })
    void stripRealm_stripsTheKeytabRealmsOnly(String principal, String forwarded) {
        PrincipalMapper mapper = PrincipalMapper.of(new Identity("X-Remote-User", true, List.of(), null),
                () -> Set.of("HTTP/array.example.test@ARRAY.TEST"));
        assertEquals(forwarded, mapper.map(principal));
    }

    @Test
    void localRealms_override_theKeytab() {
        PrincipalMapper mapper = PrincipalMapper.of(new Identity("X-Remote-User", null, true, List.of(), null, null,
                null, List.of("CORP.TEST", "EU.CORP.TEST")), () -> Set.of("HTTP/array.example.test@ARRAY.TEST"));
        assertEquals("alice", mapper.map("alice@CORP.TEST"));
        assertEquals("bob", mapper.map("bob@EU.CORP.TEST"));
        assertEquals("carol@ARRAY.TEST", mapper.map("carol@ARRAY.TEST"));
    }

    @Test
    void localRealms_followTheKeytab_whenItsPrincipalsChange() {
        AtomicReference<Set<String>> keytab = new AtomicReference<>(Set.of("HTTP/a@OLD.TEST"));
        PrincipalMapper mapper = PrincipalMapper.of(new Identity("X-Remote-User", true, List.of(), null), keytab::get);
        assertEquals("alice", mapper.map("alice@OLD.TEST"));
        keytab.set(Set.of("HTTP/a@NEW.TEST"));
        assertEquals("alice@OLD.TEST", mapper.map("alice@OLD.TEST"));
        assertEquals("alice", mapper.map("alice@NEW.TEST"));
        assertEquals(Set.of("NEW.TEST"), mapper.localRealms());
    }

    @Test
    void withoutKeytabOrLocalRealms_nothingIsStripped() {
        assertEquals("alice@ARRAY.TEST",
                PrincipalMapper.of(new Identity("X-Remote-User", true, List.of(), null)).map("alice@ARRAY.TEST"));
    }

    @Test
    void rules_seeTheEscapedForm() {
        // A rule written for the realm PARTNER.TEST keeps the escaped @ of the component in its $1.
        PrincipalMapper mapper = PrincipalMapper.of(new Identity("X-Remote-User", false,
                List.of(new Rule("^(.*)@PARTNER\\.TEST$", "p-$1")), null));
        assertEquals("p-alice", mapper.map("alice@PARTNER.TEST"));
        assertEquals("p-alice\\@ARRAY.TEST", mapper.map("alice\\@ARRAY.TEST@PARTNER.TEST"));
    }

    @Test
    void noRulesAndNoStripping_isTheIdentity() {
        assertSame(PrincipalMapper.UNCHANGED, PrincipalMapper.of(Identity.DEFAULT));
        assertEquals("alice@ARRAY.TEST", PrincipalMapper.UNCHANGED.map("alice@ARRAY.TEST"));
    }
}

package io.kerbgate.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kerbgate.config.GatewayConfig.Identity;
import io.kerbgate.config.GatewayConfig.Rule;
import java.util.List;
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
        assertEquals(forwarded, PrincipalMapper.of(new Identity("X-Remote-User", true, RULES, null)).map(principal));
    }

    @Test
    void noRulesAndNoStripping_isTheIdentity() {
        assertSame(PrincipalMapper.UNCHANGED, PrincipalMapper.of(Identity.DEFAULT));
        assertEquals("alice@ARRAY.TEST", PrincipalMapper.UNCHANGED.map("alice@ARRAY.TEST"));
    }
}

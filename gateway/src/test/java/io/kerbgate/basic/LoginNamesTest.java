package io.kerbgate.basic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class LoginNamesTest {

    private final LoginNames names = new LoginNames("EXAMPLE.COM");

    @Test
    void aBareName_isOfTheConfiguredRealm_andTheRealmMayBeWrittenInAnyCase() throws Exception {
        assertEquals("alice@EXAMPLE.COM", names.principal("alice"));
        assertEquals("alice@EXAMPLE.COM", names.principal("alice@example.com"));
        assertEquals("Alice@EXAMPLE.COM", names.principal("Alice@EXAMPLE.COM"));
    }

    @Test
    void namesThatAreNotPlainUsersOfTheRealm_areRefusedBeforeAnyKdc() {
        for (String user : new String[] {"alice@OTHER.COM", "krbtgt/EXAMPLE.COM", "HTTP/array.example.com",
            "EXAMPLE\\alice", "alice@example.org@EXAMPLE.COM", "@EXAMPLE.COM", " alice", "alice ", "al\u0000ice",
            "al\nice"}) {
            assertThrows(LoginNames.Refused.class, () -> names.principal(user), user);
        }
    }

    @Test
    void theRateLimitKey_ignoresCase() {
        assertEquals(LoginNames.limitKey("ALICE@EXAMPLE.COM"), LoginNames.limitKey("alice@EXAMPLE.COM"));
    }

    @Test
    void quote_escapesWhatCouldForgeALogLine() {
        assertEquals("\"a\\u000ab\\u0022\"", LoginNames.quote("a\nb\""));
    }
}

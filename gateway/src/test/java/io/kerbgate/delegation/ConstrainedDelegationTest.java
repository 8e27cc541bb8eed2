package io.kerbgate.delegation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.delegation.Delegated.Reason;
import io.kerbgate.delegation.Delegated.Refused;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.FreePorts;
import io.kerbgate.testing.JdkKrb5;
import io.kerbgate.testing.SecretFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link ConstrainedDelegation} answers before a KDC could say yes: the paths that must end in a refusal, never
 * an exception. The KDC's own answers (a ticket, KDC_ERR_BADOPTION) are in ConstrainedDelegationEndToEndTest.
 */
final class ConstrainedDelegationTest {

    private static final String GATEWAY = "HTTP/array.example.test@EXAMPLE.TEST";
    private static final String BACKEND = "HTTP/backend.example.test@EXAMPLE.TEST";

    @TempDir
    Path dir;
    private ConstrainedDelegation delegation;
    private Path krb5Conf;

    @BeforeEach
    void setUp() throws Exception {
        Path keytab = SecretFile.write(dir.resolve("http.keytab"), KeytabFile.write(List.of(
                new KeytabEntry(GATEWAY, 1, 0, 2, 18, new byte[32]))));
        // A KDC that is not there: nothing listens on the port (TCP only, one try, half a second).
        krb5Conf = Files.writeString(dir.resolve("krb5.conf"), """
                [libdefaults]
                    default_realm = EXAMPLE.TEST
                    udp_preference_limit = 1
                    kdc_timeout = 500
                    max_retries = 1
                [realms]
                    EXAMPLE.TEST = {
                        kdc = 127.0.0.1:%d
                    }
                """.formatted(FreePorts.tcp()));
        delegation = new ConstrainedDelegation(new DelegationSettings(GATEWAY, keytab, BACKEND, 10,
                Duration.ofMinutes(5), krb5Conf), Clock.systemUTC(), Ticker.systemTicker());
    }

    @Test
    void aSessionRequestWithoutAKeptTicket_needsAToken() {
        Delegated d = delegation.delegate("alice@EXAMPLE.TEST", "", null);

        assertEquals(Reason.NEEDS_TOKEN, assertInstanceOf(Refused.class, d).reason());
    }

    @Test
    void aTicketForAnotherGatewayPrincipal_isRefused_beforeAnyKdc() {
        Delegated d = delegation.delegate("alice@EXAMPLE.TEST", "HTTP/other.example.test@EXAMPLE.TEST",
                "Negotiate YIIB");

        Refused refused = assertInstanceOf(Refused.class, d);
        assertEquals(Reason.REFUSED, refused.reason());
        assertTrue(refused.detail().contains("delegation logs in as " + GATEWAY), refused.detail());
    }

    @Test
    void aTokenThatIsNotBase64_isRefused() {
        Delegated d = delegation.delegate("alice@EXAMPLE.TEST", GATEWAY, "Negotiate ***");

        assertEquals(Reason.REFUSED, assertInstanceOf(Refused.class, d).reason());
    }

    @Test
    void noKdc_isUnavailable_andTheDetailNamesTheLogin() throws Exception {
        Delegated d = JdkKrb5.call(krb5Conf, () -> delegation.delegate("alice@EXAMPLE.TEST", GATEWAY,
                "Negotiate YIIB"));

        Refused refused = assertInstanceOf(Refused.class, d);
        assertEquals(Reason.UNAVAILABLE, refused.reason());
        assertTrue(refused.detail().contains("login as " + GATEWAY), refused.detail());
        assertEquals(0, delegation.cachedTickets());
    }

    @Test
    void theTokenNeverShowsInTheOutcome() {
        Delegated.Token token = new Delegated.Token("Negotiate YIIsecret", false);

        assertFalse(token.toString().contains("YIIsecret"), token.toString());
    }
}

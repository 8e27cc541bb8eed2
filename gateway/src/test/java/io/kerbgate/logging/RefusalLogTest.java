package io.kerbgate.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kerbgate.acceptor.Acceptance.Rejected;
import io.kerbgate.acceptor.RefusalHints;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.acceptor.TokenFacts;
import io.kerbgate.access.AccessDecision.Refused;
import io.kerbgate.access.AccessDecision.RequestRefused;
import io.kerbgate.access.AccessDecision.TokenRefused;
import io.kerbgate.access.RequestReason;
import io.kerbgate.config.GatewayConfig.Logging;
import io.kerbgate.keys.KeyRing;
import io.kerbgate.keys.KeySet;
import io.kerbgate.keys.KeytabEntry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class RefusalLogTest {

    /** The edge's answer to the token refusals logged here (proxy.Responses.status maps every reason). */
    private static final ToIntFunction<Refused> EDGE_STATUS = refused -> 401;

    private static final String SERVICE = "HTTP/array.example.test@ARRAY.TEST";
    private static final InetSocketAddress PEER = new InetSocketAddress("192.0.2.7", 51234);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Kvnos 4 and 5 in the keytab (aes256 and aes128), after kvno 3 was rolled out of it. */
    private static KeySet keys() throws Exception {
        KeyRing ring = new KeyRing(List.of(), Duration.ofHours(10), Clock.fixed(T0, java.time.ZoneOffset.UTC));
        ring.update(List.of(entry(3, 18)), T0);
        ring.update(List.of(entry(4, 18), entry(4, 17), entry(5, 18), entry(5, 17)), T0.plusSeconds(60));
        return ring.current();
    }

    private static KeytabEntry entry(int kvno, int enctype) {
        return new KeytabEntry(SERVICE, 1, 0, kvno, enctype, new byte[enctype == 18 ? 32 : 16]);
    }

    @Test
    void badkeyver_namesTheTicketKvnoAgainstTheKeytabs_andSaysWhy() throws Exception {
        KeySet keys = keys();
        RefusalLog refusals = new RefusalLog(() -> keys, Logging.Format.PLAIN, EDGE_STATUS);
        TokenFacts facts = new TokenFacts("1.2.840.113554.1.2.2", SERVICE, 2, 18, null);
        Rejected rejected = new Rejected(RejectReason.BADKEYVER, "ticket kvno 2 but keytab has 3,4,5", facts, null);

        try (LogCapture log = LogCapture.refusals()) {
            refusals.refused(new TokenRefused(rejected), PEER, null);

            assertEquals(1, log.lines().size());
            assertEquals(Level.INFO, log.events().get(0).getLevel());
            assertEquals("auth refused reason=badkeyver status=401 client=192.0.2.7:51234 principal=- service="
                    + SERVICE + " kvno=2 enctype=aes256-cts-hmac-sha1-96 keytab_kvnos=3,4,5 keytab_enctypes="
                    + "aes256-cts-hmac-sha1-96,aes128-cts-hmac-sha1-96 route=- mech=1.2.840.113554.1.2.2 "
                    + "detail=\"ticket kvno 2 but keytab has 3,4,5\" hint=\"ticket kvno 2 but keytab has 3,4,5: the "
                    + "client holds a ticket from before the last roll, or the KDC was updated before this node "
                    + "(compare kerbgate_keys_newest_kvno across nodes; the client can klist purge)\"",
                    log.lines().get(0));
        }
    }

    @Test
    void badkeyver_forAMissingEnctype_saysToExportIt() throws Exception {
        TokenFacts facts = new TokenFacts(null, SERVICE, 5, 20, null);

        String hint = RefusalHints.hint(RejectReason.BADKEYVER, facts, keys());

        assertEquals("ticket enctype aes256-cts-hmac-sha384-192 but keytab has aes128-cts-hmac-sha1-96,"
                + "aes256-cts-hmac-sha1-96 at kvno 5: export the keytab with every enctype the KDC uses for this "
                + "account", hint);
    }

    @ParameterizedTest
    @EnumSource(RejectReason.class)
    void everyReason_hasAHint(RejectReason reason) throws Exception {
        String hint = RefusalHints.hint(reason, TokenFacts.NONE, keys());

        assertTrue(hint.length() > 20, reason + ": " + hint);
        assertFalse(hint.contains("null"), hint);
    }

    @ParameterizedTest
    @EnumSource(RequestReason.class)
    void everyRequestReason_hasAHint_inTheLine(RequestReason reason) {
        RefusalLog refusals = new RefusalLog(() -> KeySet.EMPTY, Logging.Format.PLAIN, EDGE_STATUS);

        Map<String, String> fields = refusals.fields(RequestRefused.of(reason, "d"), PEER, "web");

        assertEquals(reason.tag(), fields.get("reason"));
        assertEquals(reason.hint(), fields.get("hint"));
        assertTrue(reason.hint().length() > 20, reason + ": " + reason.hint());
        assertEquals("-", fields.get("keytab_kvnos"));
    }

    @Test
    void hintsSayWhatToCheck() throws Exception {
        KeySet keys = keys();
        assertTrue(RefusalHints.hint(RejectReason.SKEW, TokenFacts.NONE, keys).contains("NTP"));
        assertTrue(RefusalHints.hint(RejectReason.INTEGRITY, TokenFacts.NONE, keys)
                .startsWith("keytab key differs from the KDC's"));
        assertTrue(RefusalHints.hint(RejectReason.NTLM, TokenFacts.NONE, keys).startsWith(
                "client fell back to NTLM: check the SPN"));
        assertTrue(RefusalHints.hint(RejectReason.NTLM, TokenFacts.NONE, keys).contains("intranet zone"));
        assertTrue(RefusalHints.hint(RejectReason.TOO_LARGE, TokenFacts.NONE, keys).contains("PAC"));
    }

    @Test
    void clientControlledText_cannotForgeALineOrAField() {
        RefusalLog refusals = new RefusalLog(() -> KeySet.EMPTY, Logging.Format.PLAIN, EDGE_STATUS);
        TokenFacts facts = new TokenFacts(null, "HTTP/x\r\nauth refused reason=ok\"", 1, 18, null);

        try (LogCapture log = LogCapture.refusals()) {
            refusals.refused(new TokenRefused(new Rejected(RejectReason.UNKNOWN_SERVICE, "d", facts, null)), PEER,
                    null);

            String line = log.lines().get(0);
            assertFalse(line.contains("\n") || line.contains("\r"), line);
            assertTrue(line.contains("service=\"HTTP/x\\x0d\\x0aauth refused reason=ok\\x22\""), line);
        }
    }

    @Test
    void levels_noHeaderIsDebug_fullReplayCacheIsWarn() {
        RefusalLog refusals = new RefusalLog(() -> KeySet.EMPTY, Logging.Format.PLAIN, EDGE_STATUS);
        try (LogCapture log = LogCapture.refusals()) {
            refusals.refused(RequestRefused.of(RequestReason.NO_HEADER, "none"), PEER, null);
            refusals.refused(new TokenRefused(Rejected.of(RejectReason.REPLAY_CACHE_UNAVAILABLE, "full")), PEER, null);

            assertEquals(List.of(Level.DEBUG, Level.WARN), log.events().stream().map(ILoggingEvent::getLevel).toList());
        }
    }

    @Test
    void json_isOneObjectPerLine_withTheFieldsAsKeyValuePairs() throws Exception {
        KeySet keys = keys();
        RefusalLog refusals = new RefusalLog(() -> keys, Logging.Format.JSON, EDGE_STATUS);
        TokenFacts facts = new TokenFacts(null, SERVICE, 4, 18, "alice@ARRAY.TEST");
        try (LogCapture log = LogCapture.refusals()) {
            refusals.refused(new TokenRefused(new Rejected(RejectReason.SKEW, "authenticator time is 400s behind", facts,
                    null)), PEER,
                    "corp");

            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("x"))
                    .getLoggerContext());
            encoder.setWithFormattedMessage(true);
            encoder.start();
            String json = new String(encoder.encode(log.events().get(0)), StandardCharsets.UTF_8);
            assertTrue(json.endsWith("\n") && json.indexOf('\n') == json.length() - 1, json);

            JsonNode node = new ObjectMapper().readTree(json);
            assertEquals("auth refused: skew", node.path("formattedMessage").asText());
            Map<String, String> fields = new java.util.LinkedHashMap<>();
            node.path("kvpList").forEach(kv -> kv.fields().forEachRemaining(e -> fields.put(e.getKey(),
                    e.getValue().asText())));
            assertEquals(List.of("reason", "status", "client", "principal", "service", "kvno", "enctype",
                    "keytab_kvnos", "keytab_enctypes", "route", "mech", "detail", "hint"),
                    new ArrayList<>(fields.keySet()));
            assertEquals("skew", fields.get("reason"));
            assertEquals("alice@ARRAY.TEST", fields.get("principal"));
            assertEquals("3,4,5", fields.get("keytab_kvnos"));
            assertEquals("corp", fields.get("route"));
            assertTrue(fields.get("hint").contains("NTP"), fields.get("hint"));
        }
    }

    @Test
    void logFormat_json_swapsTheRootEncoder_andPlainPutsItBack() {
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var appender = (ch.qos.logback.core.OutputStreamAppender<ILoggingEvent>) root.iteratorForAppenders().next();
        var before = appender.getEncoder();
        try {
            LogFormat.apply(Logging.Format.JSON);
            assertTrue(appender.getEncoder() instanceof JsonEncoder);
            LogFormat.apply(Logging.Format.JSON);
            assertTrue(appender.getEncoder() instanceof JsonEncoder);
        } finally {
            LogFormat.apply(Logging.Format.PLAIN);
        }
        assertEquals(before, appender.getEncoder());
    }
}

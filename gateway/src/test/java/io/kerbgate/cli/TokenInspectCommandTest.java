package io.kerbgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kerbgate.der.DerWriter;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.GssClient;
import io.kerbgate.testing.KerbyKdc;
import io.kerbgate.testing.MitKdc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code kerbgate token-inspect} on real tokens (JDK initiator, Kerby and MIT KDCs) and hand-built ones. */
final class TokenInspectCommandTest {
    private static final String SERVICE = "HTTP/array.example.test@KERBY.TEST";
    private static final byte[] KRB5 = DerWriter.oidContents("1.2.840.113554.1.2.2");
    private static final byte[] MS_KRB5 = DerWriter.oidContents("1.2.840.48018.1.2.2");
    private static final byte[] NTLM = DerWriter.oidContents("1.3.6.1.4.1.311.2.2.10");
    private static final byte[] NEGOEX = DerWriter.oidContents("1.3.6.1.4.1.311.2.2.30");
    private static final byte[] SPNEGO = DerWriter.oidContents("1.3.6.1.5.5.2");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static KerbyKdc kdc;
    private static GssClient alice;
    private static Path keytab;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        kdc = KerbyKdc.start("KERBY.TEST");
        kdc.createPrincipal("alice@KERBY.TEST", "alice-pw");
        keytab = dir.resolve("http.keytab");
        kdc.createServicePrincipalWithKeytab(SERVICE, keytab, 18, 17);
        alice = GssClient.withPassword(kdc.krb5Conf(), "alice@KERBY.TEST", "alice-pw");
    }

    @AfterAll
    static void stop() throws Exception {
        if (alice != null) {
            alice.close();
        }
        if (kdc != null) {
            kdc.close();
        }
    }

    private int run(String... args) {
        return KerbgateCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private JsonNode json(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "token-inspect";
        all[1] = "--json";
        System.arraycopy(args, 0, all, 2, args.length);
        assertEquals(0, run(all), err());
        return JSON.readTree(out());
    }

    @Test
    void spnegoToken_withoutKeytab_showsTheClearParts() throws Exception {
        String header = alice.negotiate(SERVICE, GssMech.SPNEGO, true).headerValue();

        JsonNode r = json(header);

        assertEquals("Negotiate", r.at("/input/scheme").asText());
        assertEquals("ok", r.at("/input/gateway_header_check").asText());
        assertEquals("SPNEGO NegTokenInit", r.at("/framing").asText());
        assertEquals("krb5", r.at("/spnego/mechs/0/name").asText());
        assertTrue(r.at("/spnego/krb5_first").asBoolean());
        assertEquals("0x0100 (AP-REQ)", r.at("/inner_token/tok_id").asText());
        assertEquals("[\"mutual-required\"]", r.at("/krb5/ap_options").toString());
        assertEquals("KERBY.TEST", r.at("/krb5/ticket/realm").asText());
        assertEquals(SERVICE, r.at("/krb5/ticket/sname").asText());
        assertEquals("1", r.at("/krb5/ticket/kvno").asText());
        assertEquals("aes256-cts-hmac-sha1-96 (18)", r.at("/krb5/ticket/enctype").asText());
        assertTrue(r.at("/krb5/ticket/cipher_bytes").asInt() > 100);
        assertTrue(r.at("/decrypted").asText().contains("--keytab"));
        assertTrue(r.at("/verdict").isMissingNode());
    }

    @Test
    void spnegoToken_withKeytab_decryptsAndAccepts_withoutRecordingAReplay() throws Exception {
        String header = alice.negotiate(SERVICE, GssMech.SPNEGO, true).headerValue();

        JsonNode first = json("--keytab", keytab.toString(), header);
        out.reset();
        JsonNode second = json("--keytab", keytab.toString(), header);

        for (JsonNode r : List.of(first, second)) {
            assertEquals("alice@KERBY.TEST", r.at("/decrypted/ticket/client").asText());
            assertTrue(r.at("/decrypted/ticket/flags").toString().contains("pre-authent"), r.toString());
            assertTrue(r.at("/decrypted/ticket/authtime").asText().endsWith("Z"));
            assertEquals("alice@KERBY.TEST", r.at("/decrypted/authenticator/client").asText());
            assertTrue(r.at("/decrypted/authenticator/skew_vs_now").asText().contains("within clock_skew 5m"));
            assertEquals("GSS (0x8003)", r.at("/decrypted/authenticator/checksum/type").asText());
            assertTrue(r.at("/decrypted/authenticator/checksum/flags").toString().contains("mutual"));
            assertEquals("absent (all zero)", r.at("/decrypted/authenticator/checksum/channel_bindings").asText());
            assertEquals("accepted", r.at("/verdict/result").asText(), r.toString());
            assertEquals("alice@KERBY.TEST", r.at("/verdict/client").asText());
            assertEquals(1, r.at("/verdict/kvno").asInt());
        }
    }

    @Test
    void humanOutput_readsAsSections() throws Exception {
        String header = alice.negotiate(SERVICE, GssMech.SPNEGO, true).headerValue();

        assertEquals(0, run("token-inspect", "--keytab", keytab.toString(), header), err());

        String text = out();
        assertTrue(text.contains("framing: SPNEGO NegTokenInit"), text);
        assertTrue(text.contains("  mechs:"), text);
        assertTrue(text.contains("krb5 (1.2.840.113554.1.2.2)"), text);
        assertTrue(text.contains("    sname: " + SERVICE), text);
        assertTrue(text.contains("  result: accepted"), text);
    }

    @Test
    void staleKeytab_isRejectedAsBadkeyver_withTheFix() throws Exception {
        Path stale = dir.resolve("stale.keytab");
        List<KeytabEntry> bumped = KeytabFile.parse(Files.readAllBytes(keytab)).stream()
                .map(e -> new KeytabEntry(e.principal(), e.nameType(), e.timestamp(), e.kvno() + 1, e.enctype(), e.key()))
                .toList();
        Files.write(stale, KeytabFile.write(bumped));
        String header = alice.negotiate(SERVICE, GssMech.SPNEGO, true).headerValue();

        JsonNode r = json("--keytab", stale.toString(), header);

        assertTrue(r.at("/decrypted/error").asText().contains("kvnos [2]"), r.toString());
        assertEquals("rejected", r.at("/verdict/result").asText());
        assertEquals("badkeyver", r.at("/verdict/reason").asText());
        assertEquals(44, r.at("/verdict/krb_error").asInt());
        assertTrue(r.at("/verdict/fix").asText().contains("but keytab has"), r.toString());
    }

    @Test
    void stdin_isReadWithDash() throws Exception {
        String header = alice.negotiate(SERVICE, GssMech.SPNEGO, false).headerValue();
        String wrapped = "Authorization: " + header.substring(0, 40) + "\n  " + header.substring(40) + "\n";
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(wrapped.getBytes(StandardCharsets.UTF_8)));
        try {
            JsonNode r = json("-");
            assertEquals(SERVICE, r.at("/krb5/ticket/sname").asText());
            assertEquals("[]", r.at("/krb5/ap_options").toString());
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void mitRawKrb5Token_withAnRfc8009Ticket_isDecryptedAndAccepted() throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        try (MitKdc mit = MitKdc.start("MIT.TEST")) {
            mit.createPrincipal("bob@MIT.TEST", "bob-pw");
            Path mitKeytab = dir.resolve("mit.keytab");
            mit.createServicePrincipalWithKeytab("HTTP/e20.example.test@MIT.TEST", mitKeytab, 20);
            try (GssClient bob = GssClient.withPassword(mit.krb5Conf(), "bob@MIT.TEST", "bob-pw")) {
                String header = bob.negotiate("HTTP/e20.example.test@MIT.TEST", GssMech.KRB5, true).headerValue();

                JsonNode r = json("--keytab", mitKeytab.toString(), header);

                assertEquals("raw krb5 (RFC 4121)", r.at("/framing").asText());
                assertTrue(r.at("/spnego").isMissingNode());
                assertEquals("aes256-cts-hmac-sha384-192 (20)", r.at("/krb5/ticket/enctype").asText());
                // The authenticator uses the session key, whose enctype the KDC chose from the client's list.
                assertEquals(r.at("/decrypted/ticket/session_key").asText(), r.at("/krb5/authenticator/enctype").asText());
                assertEquals("bob@MIT.TEST", r.at("/decrypted/ticket/client").asText());
                assertTrue(r.at("/decrypted/ticket/renew_till").isTextual());
                assertEquals("accepted", r.at("/verdict/result").asText(), r.toString());
            }
        }
    }

    @Test
    void handBuiltMechList_namesEveryMech_inOrder_withReqFlags() throws Exception {
        byte[] init = DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.sequence(DerWriter.oid(MS_KRB5), DerWriter.oid(KRB5),
                        DerWriter.oid(NEGOEX), DerWriter.oid(NTLM))),
                DerWriter.explicit(1, DerWriter.bitFlags(1 << 30 | 1 << 29 | 1 << 28)));
        byte[] token = DerWriter.tlv(0x60, DerWriter.oid(SPNEGO), DerWriter.explicit(0, init));

        JsonNode r = json(Base64.getEncoder().encodeToString(token));

        assertEquals("(none: bare base64)", r.at("/input/scheme").asText());
        assertEquals(List.of("MS krb5", "krb5", "NegoEx", "NTLM"),
                List.of(r.at("/spnego/mechs/0/name").asText(), r.at("/spnego/mechs/1/name").asText(),
                        r.at("/spnego/mechs/2/name").asText(), r.at("/spnego/mechs/3/name").asText()));
        assertEquals("1.3.6.1.4.1.311.2.2.30", r.at("/spnego/mechs/2/oid").asText());
        assertEquals("[\"mutual\",\"replay\",\"sequence\"]", r.at("/spnego/req_flags").toString());
        assertEquals("absent", r.at("/spnego/mech_token").asText());
        assertTrue(r.at("/krb5").isMissingNode());
    }

    @Test
    void ntlmInsideSpnego_isDetected_withItsMessageType() throws Exception {
        byte[] init = DerWriter.sequence(
                DerWriter.explicit(0, DerWriter.sequence(DerWriter.oid(NTLM), DerWriter.oid(MS_KRB5))),
                DerWriter.explicit(2, DerWriter.octetString(ntlmMessage(1))));
        byte[] token = DerWriter.tlv(0x60, DerWriter.oid(SPNEGO), DerWriter.explicit(0, init));

        JsonNode r = json("Negotiate " + Base64.getEncoder().encodeToString(token));

        assertEquals("NTLM", r.at("/spnego/mechs/0/name").asText());
        assertFalse(r.at("/spnego/krb5_first").asBoolean());
        assertEquals(1, r.at("/ntlm/message_type").asInt());
        assertEquals("NEGOTIATE", r.at("/ntlm/message").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Negotiate", "NTLM"})
    void bareNtlmssp_isDetected_underEitherScheme(String scheme) throws Exception {
        JsonNode r = json(scheme + " " + Base64.getEncoder().encodeToString(ntlmMessage(3)));

        assertEquals("bare NTLMSSP", r.at("/framing").asText());
        assertEquals("AUTHENTICATE", r.at("/ntlm/message").asText());
        assertTrue(r.at("/input/gateway_header_check").asText().startsWith("refused (ntlm)"), r.toString());
    }

    @Test
    void unpaddedBase64_isRead_butTheHeaderCheckSaysTheGatewayRefusesIt() throws Exception {
        byte[] init = DerWriter.sequence(DerWriter.explicit(0, DerWriter.sequence(DerWriter.oid(KRB5))));
        byte[] token = DerWriter.tlv(0x60, DerWriter.oid(SPNEGO), DerWriter.explicit(0, init));
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(token);
        assumeTrue(unpadded.length() % 4 != 0, "token length happens to need no padding");

        JsonNode r = json(unpadded);

        assertEquals("SPNEGO NegTokenInit", r.at("/framing").asText());
        assertTrue(r.at("/input/gateway_header_check").asText().startsWith("refused (malformed)"), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not*base64!", "Negotiate", "aGVsbG8gd29ybGQ=", "Negotiate YIIBAAYGKwYBBQUC", "   "})
    void badInput_exits1_withAMessage_andNoStackTrace(String input) {
        int code = run("token-inspect", input);

        assertEquals(1, code, out() + err());
        assertTrue(err().startsWith("kerbgate token-inspect: "), err());
        assertEquals(1, err().strip().lines().count(), err());
        assertFalse(err().contains("Exception"), err());
        assertFalse(err().contains("\tat "), err());
        assertEquals("", out());
    }

    @Test
    void unreadableKeytab_exits1_namingTheFile() {
        int code = run("token-inspect", "--keytab", dir.resolve("missing.keytab").toString(), "YIIB");

        assertEquals(1, code);
        assertTrue(err().contains("missing.keytab does not exist"), err());
    }

    /** An NTLMSSP message of {@code type} with the header only (MS-NLMP §2.2.1). */
    private static byte[] ntlmMessage(int type) {
        return ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
                .put("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII)).putInt(type).array();
    }
}

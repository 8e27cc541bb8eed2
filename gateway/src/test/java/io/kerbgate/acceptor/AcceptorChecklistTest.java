package io.kerbgate.acceptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.kerbgate.cache.TicketCache;
import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.der.DerReader;
import io.kerbgate.der.DerWriter;
import io.kerbgate.keys.KeySet;
import io.kerbgate.messages.ApRep;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.Checksum;
import io.kerbgate.messages.EncTicketPart;
import io.kerbgate.messages.EncryptedData;
import io.kerbgate.messages.EncryptionKey;
import io.kerbgate.messages.HostAddress;
import io.kerbgate.replay.LocalReplayCache;
import io.kerbgate.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per check of {@code shared/ACCEPTOR-CHECKLIST.md}: each mints a token that fails exactly that check
 * and asserts the exact reason. The numbers in the test names are the checklist's items.
 */
final class AcceptorChecklistTest {
    private static final Instant START = Instant.parse("2026-11-25T08:00:00Z");
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    private final MutableClock clock = new MutableClock(START.plus(Duration.ofMinutes(10)));
    private KerberosKey key17;
    private KerberosKey key18;
    private KerberosKey otherKey18;
    private KeySet keys;
    private SpnegoAcceptor acceptor;

    @BeforeEach
    void setUp() {
        key17 = KerberosCrypto.randomKey(Enctype.AES128_CTS_HMAC_SHA1_96);
        key18 = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
        otherKey18 = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
        keys = TestKeys.keySet(clock.instant(),
                TestKeys.entry(TokenMinter.SERVICE, 4, key17),
                TestKeys.entry(TokenMinter.SERVICE, 4, key18),
                TestKeys.entry(TokenMinter.SERVICE, 5, KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96)),
                TestKeys.entry("HTTP/node1.example.test@ARRAY.TEST", 2, otherKey18));
        acceptor = acceptor(AcceptorPolicy.defaults(START));
    }

    private SpnegoAcceptor acceptor(AcceptorPolicy policy) {
        ApReqVerifier verifier = new ApReqVerifier(policy, clock, new LocalReplayCache(10_000, Ticker.systemTicker()),
                new TicketCache(1000, Ticker.systemTicker()));
        return new SpnegoAcceptor(() -> keys, verifier, 64 * 1024);
    }

    private TokenMinter minter() {
        return new TokenMinter(key18, 4, clock.instant());
    }

    private Acceptance.Accepted accepted(String header) {
        Acceptance a = acceptor.authenticate(header, PEER);
        if (a instanceof Acceptance.Rejected r) {
            throw new AssertionError("refused: " + r.reason() + ": " + r.detail());
        }
        return (Acceptance.Accepted) a;
    }

    private Acceptance.Rejected refused(String header, RejectReason expected) {
        Acceptance a = acceptor.authenticate(header, PEER);
        Acceptance.Rejected r = assertInstanceOf(Acceptance.Rejected.class, a, "should have been refused");
        assertEquals(expected, r.reason(), r.detail());
        return r;
    }

    @Test
    void valid_token_is_accepted_with_ticket_client_and_keytab_service() {
        Acceptance.Accepted a = accepted(minter().header());
        assertEquals("alice@ARRAY.TEST", a.client());
        assertEquals(TokenMinter.SERVICE, a.service());
        assertEquals(4, a.kvno());
        assertEquals(18, a.enctype());
    }

    // 1. HTTP framing
    @Test
    void item01_other_scheme_is_challenged() {
        refused("Basic YWxpY2U6c2VjcmV0", RejectReason.OTHER_SCHEME);
    }

    @Test
    void item01_scheme_is_case_insensitive() {
        accepted(minter().header().replace("Negotiate", "nEGOTIATE"));
    }

    @Test
    void item01_ntlm_is_refused_with_its_reason() {
        Acceptance.Rejected r = refused("Negotiate TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==",
                RejectReason.NTLM);
        assertTrue(r.detail().contains("NTLM is not supported"), r.detail());
        refused("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==", RejectReason.NTLM);
    }

    // 2. Size and base64
    @Test
    void item02_oversized_token_is_refused_before_decoding() {
        refused("Negotiate " + "A".repeat(200_000), RejectReason.TOO_LARGE);
    }

    @Test
    void item02_non_base64_is_malformed() {
        refused("Negotiate YII*not-base64!", RejectReason.MALFORMED);
    }

    // 3. GSS framing
    @Test
    void item03_raw_krb5_token_is_accepted_and_answered_in_the_same_framing() throws Exception {
        TokenMinter m = minter();
        byte[] raw = TokenMinter.krb5Token(TokenMinter.KRB5_OID, new byte[] {1, 0}, m.apReq());
        Acceptance.Accepted a = accepted(TokenMinter.header(raw));
        assertNotNull(a.responseToken());
        DerReader r = DerReader.of(a.responseToken());
        DerReader inner = r.readConstructed(0x60);
        assertArrayEquals(TokenMinter.KRB5_OID, inner.readOid());
    }

    @Test
    void item03_unknown_outer_oid_is_malformed_or_unsupported() {
        byte[] t = TokenMinter.krb5Token(DerWriter.oidContents("1.2.3.4"), new byte[] {1, 0}, minter().apReq());
        Acceptance a = acceptor.authenticate(TokenMinter.header(t), PEER);
        assertInstanceOf(Acceptance.Rejected.class, a);
    }

    // 4. DER only
    @Test
    void item04_indefinite_length_is_refused() {
        byte[] t = minter().spnegoToken();
        t[1] = (byte) 0x80;
        refused(TokenMinter.header(t), RejectReason.MALFORMED);
    }

    @Test
    void item04_trailing_bytes_are_refused() {
        byte[] apReq = minter().apReq();
        byte[] withTrailer = java.util.Arrays.copyOf(apReq, apReq.length + 2);
        // Keep the outer framing consistent so only the AP-REQ carries trailing bytes.
        byte[] t = TokenMinter.spnego(TokenMinter.KRB5_OID,
                TokenMinter.krb5Token(TokenMinter.KRB5_OID, new byte[] {1, 0}, withTrailer));
        refused(TokenMinter.header(t), RejectReason.MALFORMED);
    }

    @Test
    void item04_deep_nesting_is_refused_without_stack_overflow() {
        byte[] deep = new byte[0];
        for (int i = 0; i < 5000; i++) {
            deep = DerWriter.sequence(deep);
        }
        byte[] t = TokenMinter.spnego(TokenMinter.KRB5_OID,
                TokenMinter.krb5Token(TokenMinter.KRB5_OID, new byte[] {1, 0}, deep));
        Acceptance a = acceptor.authenticate(TokenMinter.header(t), PEER);
        assertInstanceOf(Acceptance.Rejected.class, a);
    }

    // 5-7. SPNEGO
    @Test
    void item05_negtokenresp_first_is_refused() {
        byte[] resp = DerWriter.tlv(0x60, DerWriter.oid(TokenMinter.SPNEGO_OID),
                DerWriter.explicit(1, DerWriter.sequence(DerWriter.explicit(0, DerWriter.enumerated(1)))));
        refused(TokenMinter.header(resp), RejectReason.NOT_INITIAL_TOKEN);
    }

    @Test
    void item06_microsoft_oid_first_is_accepted_and_echoed() throws Exception {
        byte[] t = TokenMinter.spnego(TokenMinter.MS_KRB5_OID,
                TokenMinter.krb5Token(TokenMinter.KRB5_OID, new byte[] {1, 0}, minter().apReq()),
                TokenMinter.KRB5_OID);
        Acceptance.Accepted a = accepted(TokenMinter.header(t));
        DerReader resp = DerReader.of(a.responseToken()).readExplicit(1).readConstructed(DerReader.SEQUENCE);
        assertEquals(0, resp.readExplicit(0).readEnumerated(), "accept-completed");
        assertArrayEquals(TokenMinter.MS_KRB5_OID, resp.readExplicit(1).readOid(), "supportedMech echoes the client");
    }

    @Test
    void item06_ntlm_preferred_gets_reject_and_no_second_leg() {
        byte[] t = TokenMinter.spnego(TokenMinter.NTLM_OID, new byte[] {1, 2, 3}, TokenMinter.KRB5_OID);
        Acceptance.Rejected r = refused(TokenMinter.header(t), RejectReason.MECH_UNSUPPORTED);
        assertNotNull(r.rejectToken());
    }

    // 8. krb5 token and AP-REQ envelope
    @Test
    void item08_token_id_other_than_ap_req_is_refused() {
        byte[] t = TokenMinter.spnego(TokenMinter.KRB5_OID,
                TokenMinter.krb5Token(TokenMinter.KRB5_OID, new byte[] {2, 0}, minter().apReq()));
        refused(TokenMinter.header(t), RejectReason.BAD_TOKEN_ID);
    }

    @Test
    void item08_pvno_other_than_5_is_refused() {
        TokenMinter m = minter();
        m.pvno = 4;
        refused(m.header(), RejectReason.BAD_VERSION);
    }

    @Test
    void item08_msg_type_other_than_14_is_refused() {
        TokenMinter m = minter();
        m.msgType = 13;
        refused(m.header(), RejectReason.BAD_MSG_TYPE);
    }

    @Test
    void item08_user_to_user_is_refused() {
        TokenMinter m = minter();
        m.apOptions = io.kerbgate.messages.ApReq.USE_SESSION_KEY;
        refused(m.header(), RejectReason.USER_TO_USER);
    }

    // 9-12. Ticket and keys
    @Test
    void item09_cleartext_sname_does_not_choose_the_identity() {
        // A ticket sealed for the array principal but relabelled in clear as node1's: node1's key must not open it.
        TokenMinter m = minter();
        m.sname = List.of("HTTP", "node1.example.test");
        m.kvno = 2;
        refused(m.header(), RejectReason.INTEGRITY);
    }

    @Test
    void item09_node_principal_is_served_too() {
        TokenMinter m = new TokenMinter(otherKey18, 2, clock.instant());
        m.sname = List.of("HTTP", "node1.example.test");
        assertEquals("HTTP/node1.example.test@ARRAY.TEST", accepted(m.header()).service());
    }

    @Test
    void item10_unknown_principal_is_refused() {
        TokenMinter m = minter();
        m.sname = List.of("HTTP", "elsewhere.example.test");
        refused(m.header(), RejectReason.UNKNOWN_SERVICE);
    }

    @Test
    void item10_absent_kvno_is_badkeyver_and_names_the_kvnos() {
        TokenMinter m = minter();
        m.kvno = 3;
        Acceptance.Rejected r = refused(m.header(), RejectReason.BADKEYVER);
        assertTrue(r.detail().contains("ticket kvno 3 but keytab has 4,5"), r.detail());
    }

    @Test
    void item10_absent_enctype_at_kvno_is_badkeyver() {
        TokenMinter m = new TokenMinter(KerberosCrypto.randomKey(Enctype.AES128_CTS_HMAC_SHA1_96), 5,
                clock.instant());
        refused(m.header(), RejectReason.BADKEYVER);
    }

    @Test
    void item10_wrong_key_is_integrity() {
        TokenMinter m = new TokenMinter(KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96), 4,
                clock.instant());
        refused(m.header(), RejectReason.INTEGRITY);
    }

    @Test
    void item11_rc4_ticket_is_refused_by_default_naming_rc4() {
        TokenMinter m = minter();
        m.ticketEtypeOverride = 23;
        Acceptance.Rejected r = refused(m.header(), RejectReason.ENCTYPE);
        assertTrue(r.detail().contains("RC4"), r.detail());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 16, 99})
    void item11_des_and_unknown_enctypes_are_refused(int etype) {
        TokenMinter m = minter();
        m.ticketEtypeOverride = etype;
        refused(m.header(), RejectReason.ENCTYPE);
    }

    @Test
    void item11_rc4_session_key_is_refused_by_default() {
        TokenMinter m = minter();
        m.sessionEtype = Enctype.RC4_HMAC;
        refused(m.header(), RejectReason.ENCTYPE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 28})
    void item12_short_ticket_ciphertext_is_integrity_not_a_crash(int length) {
        TokenMinter m = minter();
        m.ticketCipherOverride = new byte[length];
        refused(m.header(), RejectReason.INTEGRITY);
    }

    // 13-15. Authenticator
    @Test
    void item13_authenticator_vno_other_than_5_is_refused() {
        TokenMinter m = minter();
        m.authVno = 4;
        refused(m.header(), RejectReason.BAD_VERSION);
    }

    @Test
    void item13_authenticator_under_another_key_is_integrity() {
        TokenMinter m = minter();
        m.apReq(); // fixes the session key
        m.authenticatorCipherOverride = KerberosCrypto.encrypt(
                KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96), 11, new byte[40]);
        refused(m.header(), RejectReason.INTEGRITY);
    }

    @Test
    void item14_cname_mismatch_is_badmatch() {
        TokenMinter m = minter();
        m.authCname = List.of("mallory");
        refused(m.header(), RejectReason.BADMATCH);
    }

    @Test
    void item14_crealm_mismatch_is_badmatch() {
        TokenMinter m = minter();
        m.authCrealm = "EVIL.TEST";
        refused(m.header(), RejectReason.BADMATCH);
    }

    @Test
    void item15_weak_subkey_is_refused() {
        TokenMinter m = minter();
        m.subkey = new EncryptionKey(23, new byte[16]);
        refused(m.header(), RejectReason.ENCTYPE);
    }

    // 16-17. Time
    @Test
    void item16_authenticator_outside_skew_is_refused_both_ways() {
        TokenMinter past = minter();
        past.ctime = clock.instant().minus(Duration.ofMinutes(6));
        refused(past.header(), RejectReason.SKEW);
        TokenMinter future = minter();
        future.ctime = clock.instant().plus(Duration.ofMinutes(6));
        refused(future.header(), RejectReason.SKEW);
        TokenMinter inside = minter();
        inside.ctime = clock.instant().minus(Duration.ofMinutes(4));
        accepted(inside.header());
    }

    @Test
    void item16_cusec_out_of_range_is_refused() {
        TokenMinter m = minter();
        m.cusec = 1_000_000;
        refused(m.header(), RejectReason.MALFORMED);
    }

    @Test
    void item17_postdated_ticket_is_not_yet_valid() {
        TokenMinter m = minter();
        m.starttime = clock.instant().plus(Duration.ofMinutes(10));
        refused(m.header(), RejectReason.NOT_YET_VALID);
    }

    @Test
    void item17_invalid_flag_is_not_yet_valid() {
        TokenMinter m = minter();
        m.ticketFlags |= EncTicketPart.FLAG_INVALID;
        refused(m.header(), RejectReason.NOT_YET_VALID);
    }

    @Test
    void item17_expired_ticket_is_refused_but_its_last_minutes_are_not() {
        TokenMinter expired = minter();
        expired.authtime = clock.instant().minus(Duration.ofHours(10));
        expired.starttime = expired.authtime;
        expired.endtime = clock.instant().minus(Duration.ofMinutes(6));
        refused(expired.header(), RejectReason.EXPIRED);
        TokenMinter ending = minter();
        ending.endtime = clock.instant().plus(Duration.ofMinutes(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        accepted(ending.header()); // Kerby's ApRequest.validate wrongly refuses these
    }

    // 18-19. Replay
    @Test
    void item18_replayed_authenticator_is_refused() {
        String header = minter().header();
        accepted(header);
        refused(header, RejectReason.REPLAY);
    }

    @Test
    void item18_of_100_concurrent_copies_exactly_one_passes() throws Exception {
        String header = minter().header();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Acceptance>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Callable<Acceptance> c = () -> {
                    go.await();
                    return acceptor.authenticate(header, PEER);
                };
                results.add(pool.submit(c));
            }
            go.countDown();
            int ok = 0;
            int replays = 0;
            for (Future<Acceptance> f : results) {
                Acceptance a = f.get();
                if (a instanceof Acceptance.Accepted) {
                    ok++;
                } else if (((Acceptance.Rejected) a).reason() == RejectReason.REPLAY) {
                    replays++;
                }
            }
            assertEquals(1, ok);
            assertEquals(99, replays);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void item18_same_client_and_time_but_different_authenticators_both_pass() {
        TokenMinter a = minter();
        TokenMinter b = minter();
        accepted(a.header());
        accepted(b.header());
    }

    @Test
    void item19_authenticator_the_previous_run_may_have_seen_is_refused() {
        // The previous run, until START, accepted stamps up to START + skew (a fast client): see RestartGuardTest.
        clock.set(START.plus(Duration.ofSeconds(30)));
        TokenMinter m = minter();
        m.ctime = START.minus(Duration.ofSeconds(20));
        refused(m.header(), RejectReason.REPLAY);
        clock.set(START.plus(Duration.ofMinutes(5)).plusSeconds(1));
        TokenMinter ahead = minter();
        ahead.ctime = START.plus(Duration.ofMinutes(3));
        refused(ahead.header(), RejectReason.REPLAY);
        TokenMinter later = minter();
        later.ctime = START.plus(Duration.ofMinutes(5));
        accepted(later.header());
    }

    // 20-22. GSS checksum, bindings, delegation
    @Test
    void item20_short_gss_checksum_is_refused() {
        TokenMinter m = minter();
        m.cksum = new Checksum(Checksum.GSS_API, new byte[23]);
        refused(m.header(), RejectReason.BAD_CHECKSUM);
    }

    @Test
    void item20_gss_checksum_with_wrong_binding_length_is_refused() {
        TokenMinter m = minter();
        byte[] v = TokenMinter.gssChecksum(2);
        v[0] = 15;
        m.cksum = new Checksum(Checksum.GSS_API, v);
        refused(m.header(), RejectReason.BAD_CHECKSUM);
    }

    @Test
    void item20_truncated_delegation_is_refused() {
        TokenMinter m = minter();
        byte[] v = java.util.Arrays.copyOf(TokenMinter.gssChecksum(1 | 2), 28);
        v[24] = 1;
        v[26] = (byte) 200; // Dlgth 200, no bytes follow
        m.cksum = new Checksum(Checksum.GSS_API, v);
        refused(m.header(), RejectReason.BAD_CHECKSUM);
    }

    @Test
    void item20_no_checksum_is_accepted_without_flags() {
        TokenMinter m = minter();
        m.noChecksum = true;
        m.apOptions = 0;
        Acceptance.Accepted a = accepted(m.header());
        assertNull(spnegoResponseToken(a), "no mutual auth asked, so no AP-REP");
    }

    @Test
    void item20_unkeyed_checksum_is_refused() {
        TokenMinter m = minter();
        m.cksum = new Checksum(7, new byte[16]); // rsa-md5
        refused(m.header(), RejectReason.BAD_CHECKSUM);
    }

    @Test
    void item20_keyed_checksum_must_verify() {
        TokenMinter good = minter();
        good.sessionKey = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
        good.cksum = new Checksum(16, KerberosCrypto.checksum(good.sessionKey, 10, 16, new byte[0]));
        accepted(good.header());
        TokenMinter bad = minter();
        bad.cksum = new Checksum(16, new byte[12]);
        refused(bad.header(), RejectReason.BAD_CHECKSUM);
    }

    @Test
    void item21_bindings_are_ignored_without_tls() {
        TokenMinter m = minter();
        byte[] v = TokenMinter.gssChecksum(2);
        v[5] = 0x42;
        m.cksum = new Checksum(Checksum.GSS_API, v);
        accepted(m.header());
    }

    /** A token whose GSS checksum carries {@code bindingHash}, and the client's wish for mutual authentication. */
    private TokenMinter boundTo(byte[] bindingHash) {
        TokenMinter m = minter();
        byte[] v = TokenMinter.gssChecksum(2);
        System.arraycopy(bindingHash, 0, v, 4, 16);
        m.cksum = new Checksum(Checksum.GSS_API, v);
        return m;
    }

    private Acceptance withBindings(TokenMinter m, ChannelBindings bindings) {
        return acceptor.authenticate(m.header(), PEER, bindings);
    }

    /** RFC 4121 §4.1.1.2 written out byte by byte: four zero words (address types and lengths), length, data. */
    private static byte[] rfc4121Hash(byte[] endPoint) throws Exception {
        byte[] prefix = "tls-server-end-point:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int n = prefix.length + endPoint.length;
        java.io.ByteArrayOutputStream struct = new java.io.ByteArrayOutputStream();
        struct.write(new byte[16]);
        struct.write(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        struct.write(prefix);
        struct.write(endPoint);
        return java.security.MessageDigest.getInstance("MD5").digest(struct.toByteArray());
    }

    private static final byte[] END_POINT = new byte[32];
    private static final byte[] OTHER_END_POINT = new byte[32];

    static {
        java.util.Arrays.fill(END_POINT, (byte) 0x5a);
        java.util.Arrays.fill(OTHER_END_POINT, (byte) 0xa5);
    }

    @ParameterizedTest(name = "required={0}")
    @ValueSource(booleans = {false, true})
    void item21_matching_bindings_are_accepted(boolean required) throws Exception {
        ChannelBindings expected = ChannelBindings.tlsServerEndPoint(END_POINT, required);
        assertInstanceOf(Acceptance.Accepted.class, withBindings(boundTo(rfc4121Hash(END_POINT)), expected));
    }

    @ParameterizedTest(name = "required={0}")
    @ValueSource(booleans = {false, true})
    void item21_bindings_of_another_channel_are_refused(boolean required) throws Exception {
        ChannelBindings expected = ChannelBindings.tlsServerEndPoint(END_POINT, required);
        Acceptance a = withBindings(boundTo(rfc4121Hash(OTHER_END_POINT)), expected);
        assertEquals(RejectReason.CHANNEL_BINDING, assertInstanceOf(Acceptance.Rejected.class, a).reason());
    }

    @Test
    void item21_zero_bindings_are_accepted_unless_required() {
        TokenMinter unbound = minter(); // gssChecksum: 16 zero bytes of bindings, as curl and browsers send
        assertInstanceOf(Acceptance.Accepted.class,
                withBindings(unbound, ChannelBindings.tlsServerEndPoint(END_POINT, false)));
        Acceptance a = withBindings(minter(), ChannelBindings.tlsServerEndPoint(END_POINT, true));
        assertEquals(RejectReason.CHANNEL_BINDING, assertInstanceOf(Acceptance.Rejected.class, a).reason());
    }

    @Test
    void item21_no_checksum_or_a_raw_checksum_cannot_satisfy_required_bindings() {
        ChannelBindings optional = ChannelBindings.tlsServerEndPoint(END_POINT, false);
        ChannelBindings required = ChannelBindings.tlsServerEndPoint(END_POINT, true);
        TokenMinter none = minter();
        none.noChecksum = true;
        assertInstanceOf(Acceptance.Accepted.class, withBindings(none, optional));
        TokenMinter none2 = minter();
        none2.noChecksum = true;
        assertEquals(RejectReason.CHANNEL_BINDING,
                assertInstanceOf(Acceptance.Rejected.class, withBindings(none2, required)).reason());
        TokenMinter raw = minter();
        raw.sessionKey = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
        raw.cksum = new Checksum(16, KerberosCrypto.checksum(raw.sessionKey, 10, 16, new byte[0]));
        assertEquals(RejectReason.CHANNEL_BINDING,
                assertInstanceOf(Acceptance.Rejected.class, withBindings(raw, required)).reason());
    }

    @Test
    void item21_a_refused_binding_does_not_burn_the_authenticator() throws Exception {
        // The binding check runs before the replay cache: the same token still passes where it is bound.
        TokenMinter m = boundTo(rfc4121Hash(END_POINT));
        String header = m.header();
        assertInstanceOf(Acceptance.Rejected.class,
                acceptor.authenticate(header, PEER, ChannelBindings.tlsServerEndPoint(OTHER_END_POINT, false)));
        assertInstanceOf(Acceptance.Accepted.class,
                acceptor.authenticate(header, PEER, ChannelBindings.tlsServerEndPoint(END_POINT, false)));
    }

    @Test
    void item22_delegated_credentials_are_accepted_and_dropped() {
        TokenMinter m = minter();
        byte[] deleg = new byte[28 + 10];
        System.arraycopy(TokenMinter.gssChecksum(1 | 2), 0, deleg, 0, 24);
        deleg[24] = 1;
        deleg[26] = 10;
        m.cksum = new Checksum(Checksum.GSS_API, deleg);
        accepted(m.header());
    }

    // 23-25. Authorization data, cross-realm, addresses
    @Test
    void item23_unknown_authorization_data_is_ignored() {
        TokenMinter m = minter();
        m.ticketAuthData = new AuthorizationData(List.of(new AuthorizationData.Entry(AuthorizationData.AD_IF_RELEVANT,
                DerWriter.sequence(DerWriter.sequence(DerWriter.explicit(0, DerWriter.integer(9999)),
                        DerWriter.explicit(1, DerWriter.octetString(new byte[] {1, 2, 3})))))));
        accepted(m.header());
    }

    @Test
    void item24_unchecked_transit_is_refused() {
        TokenMinter m = minter();
        m.transited = "OTHER.TEST".getBytes();
        refused(m.header(), RejectReason.TRANSITED);
        TokenMinter checked = minter();
        checked.transited = "OTHER.TEST".getBytes();
        checked.ticketFlags |= EncTicketPart.FLAG_TRANSITED_POLICY_CHECKED;
        accepted(checked.header());
    }

    @Test
    void item24_client_realm_allow_list() {
        acceptor = acceptor(new AcceptorPolicy(Duration.ofMinutes(5), false, Set.of("CORP.TEST"), START));
        refused(minter().header(), RejectReason.REALM_NOT_ALLOWED);
    }

    @Test
    void item25_ticket_addresses_must_include_the_peer() throws Exception {
        TokenMinter m = minter();
        m.caddr = List.of(HostAddress.of(InetAddress.getByName("192.0.2.7")));
        refused(m.header(), RejectReason.BADADDR);
        TokenMinter ok = minter();
        ok.caddr = List.of(HostAddress.of(PEER));
        accepted(ok.header());
    }

    // 26. Mutual authentication
    @Test
    void item26_ap_rep_copies_ctime_and_cusec_under_the_session_key() throws Exception {
        TokenMinter m = minter();
        Acceptance.Accepted a = accepted(m.header());
        byte[] apRep = spnegoResponseToken(a);
        assertNotNull(apRep);
        EncryptedData enc = ApRep.decode(apRep);
        byte[] plain = KerberosCrypto.decrypt(m.sessionKey, 12, enc.cipher());
        DerReader part = DerReader.of(plain).readConstructed(0x7B).readConstructed(DerReader.SEQUENCE);
        assertEquals(m.ctime, part.readExplicit(0).readKerberosTime());
        assertEquals(m.cusec, part.readExplicit(1).readInt());
        assertTrue(part.nextIs(0xA2), "fresh acceptor subkey");
    }

    @Test
    void item26_rc4_allowed_only_when_configured() {
        acceptor = acceptor(new AcceptorPolicy(Duration.ofMinutes(5), true, Set.of(), START));
        KerberosKey rc4 = KerberosCrypto.randomKey(Enctype.RC4_HMAC);
        keys = TestKeys.keySet(clock.instant(), TestKeys.entry(TokenMinter.SERVICE, 7, rc4));
        accepted(new TokenMinter(rc4, 7, clock.instant()).header());
    }

    // 27. Robustness
    @Test
    void item27_garbage_is_a_typed_refusal() {
        for (String h : List.of("Negotiate ", "Negotiate", "Negotiate YIIB", "Negotiate " + Base64.getEncoder()
                .encodeToString(new byte[] {0x60, 0x01, 0x06}), "negotiate\tYII=")) {
            assertInstanceOf(Acceptance.Rejected.class, acceptor.authenticate(h, PEER), h);
        }
    }

    @Test
    void cached_ticket_still_needs_a_fresh_authenticator() {
        TokenMinter m = minter();
        Acceptance.Accepted first = accepted(m.header());
        assertTrue(!first.cachedTicket());
        // Same ticket, new authenticator (fresh confounder): the ticket decryption comes from the cache.
        m.ticketCipherOverride = m.lastTicketCipher;
        Acceptance.Accepted second = accepted(m.header());
        assertTrue(second.cachedTicket());
        // The cache never skips the authenticator: a cached ticket with a wrong-name authenticator still fails.
        m.authCname = List.of("mallory");
        refused(m.header(), RejectReason.BADMATCH);
        // Nor the replay check.
        m.authCname = null;
        String h = m.header();
        accepted(h);
        refused(h, RejectReason.REPLAY);
    }

    /** The AP-REP inside a SPNEGO accept-completed response, or null when the response carries none. */
    static byte[] spnegoResponseToken(Acceptance.Accepted a) {
        try {
            DerReader resp = DerReader.of(a.responseToken()).readExplicit(1).readConstructed(DerReader.SEQUENCE);
            resp.readExplicit(0);
            if (resp.nextIs(0xA1)) {
                resp.readExplicit(1);
            }
            if (!resp.nextIs(0xA2)) {
                return null;
            }
            DerReader gss = DerReader.of(resp.readExplicit(2).readOctetString()).readConstructed(0x60);
            gss.readOid();
            byte[] rest = gss.readRemaining(); // TOK_ID 02 00 is not DER
            assertEquals(2, rest[0]);
            assertEquals(0, rest[1]);
            return java.util.Arrays.copyOfRange(rest, 2, rest.length);
        } catch (io.kerbgate.der.DerException e) {
            throw new AssertionError(e);
        }
    }
}

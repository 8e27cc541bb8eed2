package io.kerbgate.pac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.crypto.Enctype;
import io.kerbgate.crypto.KerberosCrypto;
import io.kerbgate.crypto.KerberosKey;
import io.kerbgate.messages.AuthorizationData;
import io.kerbgate.messages.PrincipalName;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PACs minted here ({@link PacBuilder}): what verifies, and each way a PAC is refused (checklist item 23). */
final class PacTest {

    private static final KerberosKey SERVICE = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
    private static final KerberosKey KRBTGT = KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96);
    private static final Instant AUTHTIME = Instant.parse("2026-11-25T08:00:00Z");
    private static final Sid DOMAIN = Sid.parse("S-1-5-21-367280001-2960742336-1889471113");
    private static final PrincipalName ALICE = new PrincipalName(PrincipalName.NT_PRINCIPAL, List.of("alice"));

    private static byte[] good() {
        return PacBuilder.pac(SERVICE, KRBTGT, AUTHTIME, "alice", DOMAIN, 1104, new int[] {513, 1106},
                List.of(Sid.parse("S-1-18-1")));
    }

    private static PacVerifier.PacInfo verify(AuthorizationData ad) throws PacException {
        return PacVerifier.verify(ad, SERVICE, ALICE, AUTHTIME).orElseThrow();
    }

    private static String refusal(byte[] pac) {
        return assertThrows(PacException.class, () -> verify(PacBuilder.ifRelevant(pac))).getMessage();
    }

    @Test
    void aSignedPac_verifies_andYieldsTheUserAndGroupSids() throws Exception {
        PacVerifier.PacInfo info = verify(PacBuilder.ifRelevant(good()));
        assertEquals("S-1-5-21-367280001-2960742336-1889471113-1104", info.userSid().toString());
        assertEquals(List.of(DOMAIN + "-513", DOMAIN + "-1106", "S-1-18-1"), info.groups());
        assertEquals("alice", info.clientName());
    }

    @Test
    void noPac_isEmpty() throws Exception {
        assertTrue(PacVerifier.verify(AuthorizationData.EMPTY, SERVICE, ALICE, AUTHTIME).isEmpty());
    }

    @Test
    void everyFlippedByte_isRefused_butTheKdcSignatureWhichOnlyTheKdcCanCheck() throws Exception {
        byte[] pac = good();
        Pac.Buffer kdc = Pac.parse(pac).buffer(Pac.PRIVSVR_CHECKSUM).orElseThrow();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] bad = pac.clone();
            int at = random.nextInt(bad.length);
            if (at >= kdc.offset() + 4 && at < kdc.offset() + kdc.size()) {
                continue;
            }
            bad[at] ^= (byte) (1 + random.nextInt(255));
            assertThrows(PacException.class, () -> verify(PacBuilder.ifRelevant(bad)));
        }
    }

    @Test
    void aPacSignedWithAnotherKey_isRefused() {
        byte[] pac = PacBuilder.sign(good(), KerberosCrypto.randomKey(Enctype.AES256_CTS_HMAC_SHA1_96), KRBTGT);
        assertTrue(refusal(pac).contains("does not verify"));
    }

    @Test
    void unkeyedServerChecksum_isRefused_ms14_068() throws Exception {
        Pac pac = Pac.parse(good());
        int at = pac.buffer(Pac.SERVER_CHECKSUM).orElseThrow().offset();
        for (int unkeyed : new int[] {1, 7, 14, -1}) { // crc32, rsa-md5, sha1, garbage
            assertTrue(refusal(PacBuilder.putU32(pac.bytes(), at, unkeyed)).contains("unkeyed"), "type " + unkeyed);
        }
    }

    @Test
    void aKeyedChecksumOfAnotherEnctype_isRefused() throws Exception {
        Pac pac = Pac.parse(good());
        int at = pac.buffer(Pac.SERVER_CHECKSUM).orElseThrow().offset();
        assertTrue(refusal(PacBuilder.putU32(pac.bytes(), at, 15)).contains("does not go with"));
    }

    @Test
    void twoPacs_areRefused_inOneOrTwoIfRelevant() {
        byte[] pac = good();
        assertTrue(assertThrows(PacException.class, () -> verify(PacBuilder.ifRelevant(pac, pac))).getMessage()
                .contains("2 PACs"));
        AuthorizationData two = new AuthorizationData(List.of(PacBuilder.ifRelevant(pac).entries().get(0),
                PacBuilder.ifRelevant(pac).entries().get(0)));
        assertThrows(PacException.class, () -> verify(two));
    }

    @Test
    void aPacOutsideIfRelevant_isRefused() {
        AuthorizationData bare = new AuthorizationData(List.of(new AuthorizationData.Entry(
                AuthorizationData.AD_WIN2K_PAC, good())));
        assertThrows(PacException.class, () -> verify(bare));
    }

    @Test
    void bufferOffsetPastTheEnd_isRefused() {
        byte[] pac = good();
        assertTrue(refusal(PacBuilder.putU32(pac, 8 + 8, pac.length + 8)).contains("past the end"));
        // the high half of the 64-bit offset: 2^32 + a valid offset must not wrap to the valid one
        assertTrue(refusal(PacBuilder.putU32(pac, 8 + 12, 1)).contains("past the end"));
    }

    @Test
    void bufferSizePastTheEnd_isRefused_withoutOverflow() {
        byte[] pac = good();
        assertTrue(refusal(PacBuilder.putU32(pac, 8 + 4, 0xffffffffL)).contains("ends past"));
        assertTrue(refusal(PacBuilder.putU32(pac, 8 + 4, pac.length)).contains("ends past"));
    }

    @Test
    void misalignedOrOverlappingOrHeaderBuffers_areRefused() throws Exception {
        Pac pac = Pac.parse(good());
        long first = pac.buffers().get(0).offset();
        assertTrue(refusal(PacBuilder.putU32(pac.bytes(), 8 + 8, first + 4)).contains("aligned"));
        long second = pac.buffers().get(1).offset();
        assertTrue(refusal(PacBuilder.putU32(pac.bytes(), 8 + 16 + 8, second - 8)).contains("overlap"));
        assertTrue(refusal(PacBuilder.putU32(pac.bytes(), 8 + 8, 8)).contains("header"));
    }

    @Test
    void hugeBufferCounts_andBadVersions_areRefused() {
        byte[] pac = good();
        assertTrue(refusal(PacBuilder.putU32(pac, 0, 0x10000001L)).contains("buffers"));
        assertTrue(refusal(PacBuilder.putU32(pac, 0, 0)).contains("buffers"));
        assertTrue(refusal(PacBuilder.putU32(pac, 4, 1)).contains("version"));
        assertTrue(refusal(new byte[4]).contains("shorter"));
    }

    @Test
    void duplicateBufferTypes_areRefused() throws Exception {
        Pac pac = Pac.parse(good());
        // make buffer 1 (client info) claim to be logon info too
        assertTrue(refusal(PacBuilder.putU32(pac.bytes(), 8 + 16, Pac.LOGON_INFO)).contains("two buffers"));
    }

    @Test
    void clientInfoNamingSomeoneElse_isRefused_evenWhenSigned() {
        byte[] pac = PacBuilder.pac(SERVICE, KRBTGT, AUTHTIME, "bob", DOMAIN, 1105, new int[] {513}, List.of());
        assertTrue(refusal(pac).contains("names 'bob'"));
        byte[] otherTime = PacBuilder.pac(SERVICE, KRBTGT, AUTHTIME.plusSeconds(60), "alice", DOMAIN, 1104,
                new int[] {513}, List.of());
        assertTrue(refusal(otherTime).contains("authtime"));
    }

    @Test
    void clientInfoName_comparesCaseInsensitively() throws Exception {
        byte[] pac = PacBuilder.pac(SERVICE, KRBTGT, AUTHTIME, "Alice", DOMAIN, 1104, new int[] {513}, List.of());
        assertEquals("Alice", verify(PacBuilder.ifRelevant(pac)).clientName());
    }

    @Test
    void effectiveName_isTheAccountsName_andALyingCountIsRefused() throws Exception {
        byte[] logon = PacBuilder.logonInfo(DOMAIN, 1104, 513, new int[] {513}, List.of(), "Alice");
        assertEquals("Alice", ValidationInfo.decode(logon).effectiveName());
        assertNull(ValidationInfo.decode(PacBuilder.logonInfo(DOMAIN, 1104, 513, new int[] {513}, List.of()))
                .effectiveName());

        int counts = indexOf(logon, new byte[] {5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0});
        byte[] lying = PacBuilder.putU32(logon.clone(), counts + 8, 50_000); // actual above max
        byte[] huge = PacBuilder.putU32(PacBuilder.putU32(logon.clone(), counts, 0x7fffffffL), counts + 8, 0x7fffffffL);
        assertThrows(PacException.class, () -> ValidationInfo.decode(lying));
        assertThrows(PacException.class, () -> ValidationInfo.decode(huge));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void truncatedOrLyingNdr_isRefused_evenWhenSigned() throws Exception {
        byte[] logon = PacBuilder.logonInfo(DOMAIN, 1104, 513, new int[] {513, 1106}, List.of());
        // GroupCount says a million: the array bound and the bytes left disagree
        byte[] lying = PacBuilder.putU32(logon, 16 + 4 + 96 + 4 + 8, 1_000_000);
        for (byte[] bad : List.of(lying, java.util.Arrays.copyOf(logon, 100), PacBuilder.putU32(logon, 8, 1 << 30))) {
            byte[] pac = PacBuilder.sign(PacBuilder.assemble(List.of(Pac.LOGON_INFO, Pac.CLIENT_INFO,
                    Pac.SERVER_CHECKSUM, Pac.PRIVSVR_CHECKSUM), List.of(bad, PacBuilder.clientInfo(AUTHTIME, "alice"),
                    PacBuilder.signature(16), PacBuilder.signature(16))), SERVICE, KRBTGT);
            assertTrue(refusal(pac).contains("logon info"), refusal(pac));
        }
    }

    @Test
    void sidsPrintAndParse() {
        assertEquals("S-1-5-21-1-2-3-1104", Sid.parse("S-1-5-21-1-2-3").withRid(1104).toString());
        assertEquals("S-1-5-21-4294967295", Sid.parse("S-1-5-21-4294967295").toString());
        assertThrows(IllegalArgumentException.class, () -> Sid.parse("S-2-5"));
    }
}

package io.kerbgate.der;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class DerReaderTest {

    private static DerReader hex(String hex) {
        return DerReader.of(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private static String failure(String hex, ThrowingRead read) {
        DerException e = assertThrows(DerException.class, () -> read.apply(hex(hex)));
        return e.getMessage();
    }

    @FunctionalInterface
    private interface ThrowingRead {
        Object apply(DerReader r) throws DerException;
    }

    // Lengths (X.690 §8.1.3, §10.1)

    @Test
    void length_indefinite_refused() {
        assertTrue(failure("30 80 02 01 00 00 00", r -> r.readConstructed(0x30)).contains("indefinite"));
    }

    @Test
    void length_fiveOctets_refused() {
        assertTrue(failure("04 85 00 00 00 00 01 41", DerReader::readOctetString).contains("length of 5 octets"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"04 81 05 4141414141", "04 82 00 90", "04 83 00 00 81", "04 81 7f"})
    void length_notMinimal_refused(String hex) {
        assertTrue(failure(hex, DerReader::readOctetString).contains("minimal"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"04 05 41", "04 81 80 41", "04 84 ff ff ff ff 41", "04", "04 82 01"})
    void length_pastEnd_refused(String hex) {
        assertThrows(DerException.class, () -> hex(hex).readOctetString());
    }

    @Test
    void length_pastEndOfParent_refused() throws DerException {
        // The inner OCTET STRING claims 3 bytes but its SEQUENCE holds only 2 after the header.
        DerReader seq = hex("30 04 04 03 41 41 41").readConstructed(0x30);
        assertThrows(DerException.class, seq::readOctetString);
    }

    @Test
    void length_longForm_read() throws DerException {
        byte[] body = new byte[300];
        byte[] der = DerWriter.octetString(body);
        assertEquals(0x82, der[1] & 0xFF);
        assertArrayEquals(body, DerReader.of(der).readOctetString());
    }

    @Test
    void expectEnd_trailingBytes_refused() throws DerException {
        DerReader r = hex("02 01 05 00");
        assertEquals(5, r.readInt());
        assertTrue(assertThrows(DerException.class, r::expectEnd).getMessage().contains("1 trailing bytes"));
    }

    @Test
    void expectEnd_trailingInsideSequence_refused() throws DerException {
        DerReader seq = hex("30 04 02 01 05 00").readConstructed(0x30);
        seq.readInt();
        assertThrows(DerException.class, seq::expectEnd);
    }

    @Test
    void tag_highTagNumber_refused() {
        assertTrue(failure("1f 81 00 00", DerReader::peekTag).contains("high-tag"));
    }

    @Test
    void tag_unexpected_refused() {
        assertTrue(failure("04 01 00", DerReader::readLong).contains("expected tag 0x2"));
    }

    @Test
    void readElement_returnsWholeTlv() throws DerException {
        DerReader r = hex("30 03 02 01 07 05 00");
        assertArrayEquals(HexFormat.of().parseHex("3003020107"), r.readElement());
        r.skipElement();
        assertFalse(r.hasRemaining());
        r.expectEnd();
    }

    // Depth (checklist item 4)

    private static byte[] nestedSequences(int levels) {
        byte[] der = DerWriter.integer(1);
        for (int i = 0; i < levels; i++) {
            der = DerWriter.sequence(der);
        }
        return der;
    }

    @Test
    void depth_64_accepted() throws DerException {
        DerReader r = DerReader.of(nestedSequences(DerReader.MAX_DEPTH));
        for (int i = 0; i < DerReader.MAX_DEPTH; i++) {
            r = r.readConstructed(0x30);
        }
        assertEquals(1, r.readInt());
    }

    @Test
    void depth_65_refused() throws DerException {
        DerReader r = DerReader.of(nestedSequences(DerReader.MAX_DEPTH + 1));
        for (int i = 0; i < DerReader.MAX_DEPTH; i++) {
            r = r.readConstructed(0x30);
        }
        DerReader last = r;
        assertTrue(assertThrows(DerException.class, () -> last.readConstructed(0x30)).getMessage().contains("nesting"));
    }

    // INTEGER (X.690 §8.3)

    @ParameterizedTest
    @ValueSource(strings = {"02 02 00 01", "02 02 00 7f", "02 02 ff 80", "02 03 ff ff ff"})
    void integer_notMinimal_refused(String hex) {
        assertTrue(failure(hex, DerReader::readLong).contains("minimal"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"02 00", "02 09 01 00 00 00 00 00 00 00 00"})
    void integer_badSize_refused(String hex) {
        assertTrue(failure(hex, DerReader::readLong).contains("INTEGER of"));
    }

    @Test
    void integer_negative_read() throws DerException {
        assertEquals(-1, hex("02 01 ff").readLong());
        assertEquals(-128, hex("02 01 80").readLong());
        assertEquals(-129, hex("02 02 ff 7f").readLong());
        assertEquals(Long.MIN_VALUE, hex("02 08 80 00 00 00 00 00 00 00").readLong());
        assertEquals(128, hex("02 02 00 80").readLong());
    }

    @Test
    void int32_outOfRange_refused() {
        assertTrue(failure("02 05 00 80 00 00 00", DerReader::readInt).contains("Int32"));
        assertTrue(failure("02 05 ff 7f ff ff ff", DerReader::readInt).contains("Int32"));
    }

    @Test
    void uint32_aboveTwoToThe31_read() throws DerException {
        assertEquals(0x8000_0000L, hex("02 05 00 80 00 00 00").readUInt32());
        assertEquals(0xFFFF_FFFFL, hex("02 05 00 ff ff ff ff").readUInt32());
        // Written as a negative Int32 by some encoders: the same value.
        assertEquals(0xFFFF_FFFFL, hex("02 01 ff").readUInt32());
        assertEquals(0x8000_0000L, hex("02 04 80 00 00 00").readUInt32());
    }

    @Test
    void uint32_outOfRange_refused() {
        assertTrue(failure("02 05 01 00 00 00 00", DerReader::readUInt32).contains("UInt32"));
        assertTrue(failure("02 05 ff 7f ff ff ff", DerReader::readUInt32).contains("UInt32"));
    }

    @Test
    void enumerated_isSigned() throws DerException {
        assertEquals(2, hex("0a 01 02").readEnumerated());
        assertEquals(-1, hex("0a 01 ff").readEnumerated());
        assertThrows(DerException.class, () -> hex("0a 02 00 80").readEnumerated());
        assertThrows(DerException.class, () -> hex("0a 00").readEnumerated());
    }

    // KerberosTime (RFC 4120 §5.2.3)

    @Test
    void kerberosTime_read() throws DerException {
        byte[] der = DerWriter.tlv(DerReader.GENERALIZED_TIME, "20261125093000Z".getBytes());
        assertEquals(Instant.parse("2026-11-25T09:30:00Z"), DerReader.of(der).readKerberosTime());
    }

    @ParameterizedTest
    @ValueSource(strings = {"20261125093000.5Z", "20261125093000", "20261125093000+", "2026112509300Z",
        "20261325093000Z", "20260230093000Z", "20261125243000Z", "2026112509300aZ", "20261125093060Z"})
    void kerberosTime_malformed_refused(String text) {
        byte[] der = DerWriter.tlv(DerReader.GENERALIZED_TIME, text.getBytes());
        assertThrows(DerException.class, () -> DerReader.of(der).readKerberosTime());
    }

    // BIT STRING (X.690 §8.6, §11.2)

    @Test
    void bitFlags_kerberosFlags_read() throws DerException {
        assertEquals(0x4081_0000, hex("03 05 00 40 81 00 00").readBitFlags());
        // ContextFlags as the JDK writes them: 7 named bits, one unused bit.
        assertEquals(0xE000_0000, hex("03 02 01 e0").readBitFlags());
        assertEquals(0, hex("03 01 00").readBitFlags());
    }

    @ParameterizedTest
    @ValueSource(strings = {"03 00", "03 01 01", "03 02 08 00", "03 06 00 00 00 00 00 00"})
    void bitFlags_malformed_refused(String hex) {
        assertThrows(DerException.class, () -> hex(hex).readBitFlags());
    }

    @Test
    void bitFlags_nonZeroUnusedBits_refused() {
        assertTrue(failure("03 02 01 e1", DerReader::readBitFlags).contains("unused"));
        assertTrue(failure("03 02 07 c0", DerReader::readBitFlags).contains("unused"));
    }

    // OBJECT IDENTIFIER (X.690 §8.19)

    @Test
    void oid_read() throws DerException {
        assertArrayEquals(DerWriter.oidContents("1.2.840.113554.1.2.2"),
                hex("06 09 2a 86 48 86 f7 12 01 02 02").readOid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"06 00", "06 02 2a 86", "06 03 2a 80 01", "06 02 80 01", "06 04 2a 80 86 01"})
    void oid_malformed_refused(String hex) {
        assertThrows(DerException.class, () -> hex(hex).readOid());
    }

    @Test
    void slice_outOfBounds_isProgrammingError() {
        assertThrows(IndexOutOfBoundsException.class, () -> DerReader.of(new byte[4], 2, 5));
    }
}

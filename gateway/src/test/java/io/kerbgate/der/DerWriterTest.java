package io.kerbgate.der;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writer encodings, and writer-then-reader round trips over seeded random values. */
final class DerWriterTest {
    private static final long SEED = 0x6B65_7262_6761_7465L;
    private static final int ROUNDS = 2_000;

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void integer_minimalForm() {
        assertEquals("020100", hex(DerWriter.integer(0)));
        assertEquals("02017f", hex(DerWriter.integer(127)));
        assertEquals("02020080", hex(DerWriter.integer(128)));
        assertEquals("0201ff", hex(DerWriter.integer(-1)));
        assertEquals("020180", hex(DerWriter.integer(-128)));
        assertEquals("0202ff7f", hex(DerWriter.integer(-129)));
        assertEquals("020500ffffffff", hex(DerWriter.integer(0xFFFF_FFFFL)));
        assertEquals("02088000000000000000", hex(DerWriter.integer(Long.MIN_VALUE)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 127, 128, 255, 256, 65_535, 65_536, 16_777_215, 16_777_216})
    void length_boundaries_roundTrip(int len) throws DerException {
        byte[] body = new byte[len];
        if (len > 0) {
            body[len - 1] = 0x5A;
        }
        byte[] der = DerWriter.octetString(body);
        int lengthOctets = len < 0x80 ? 0 : len <= 0xFF ? 1 : len <= 0xFFFF ? 2 : len <= 0xFF_FFFF ? 3 : 4;
        assertEquals(1 + 1 + lengthOctets + len, der.length);
        DerReader r = DerReader.of(der);
        assertArrayEquals(body, r.readOctetString());
        r.expectEnd();
    }

    @Test
    void enumerated_outOfOneOctet_refused() {
        assertEquals("0a0102", hex(DerWriter.enumerated(2)));
        assertThrows(IllegalArgumentException.class, () -> DerWriter.enumerated(128));
        assertThrows(IllegalArgumentException.class, () -> DerWriter.enumerated(-129));
    }

    @Test
    void oidContents_krb5() {
        assertEquals("2a864886f712010202", hex(DerWriter.oidContents("1.2.840.113554.1.2.2")));
        assertEquals("2a864882f712010202", hex(DerWriter.oidContents("1.2.840.48018.1.2.2")));
        assertEquals("2b0601050502", hex(DerWriter.oidContents("1.3.6.1.5.5.2")));
    }

    @Test
    void integers_roundTrip() throws DerException {
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < ROUNDS; i++) {
            // Vary the magnitude so that every encoded size from 1 to 8 octets is hit often.
            long v = rnd.nextLong() >> rnd.nextInt(64);
            DerReader r = DerReader.of(DerWriter.integer(v));
            assertEquals(v, r.readLong(), "value " + v);
            r.expectEnd();
        }
    }

    @Test
    void uint32_roundTrip() throws DerException {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        for (int i = 0; i < ROUNDS; i++) {
            long v = rnd.nextLong(0x1_0000_0000L);
            assertEquals(v, DerReader.of(DerWriter.integer(v)).readUInt32(), "value " + v);
        }
    }

    @Test
    void bitFlags_roundTrip() throws DerException {
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        for (int i = 0; i < ROUNDS; i++) {
            int flags = rnd.nextInt();
            assertEquals(flags, DerReader.of(DerWriter.bitFlags(flags)).readBitFlags());
        }
    }

    @Test
    void kerberosTime_roundTrip() throws DerException {
        SplittableRandom rnd = new SplittableRandom(SEED + 3);
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < ROUNDS; i++) {
            Instant t = Instant.ofEpochSecond(rnd.nextLong(max));
            assertEquals(t, DerReader.of(DerWriter.kerberosTime(t)).readKerberosTime());
        }
    }

    @Test
    void kerberosTime_byHand_isExactlyWhatTheFormatterWrites() {
        java.time.format.DateTimeFormatter formatter = java.time.format.DateTimeFormatter
                .ofPattern("yyyyMMddHHmmss'Z'").withZone(java.time.ZoneOffset.UTC);
        SplittableRandom rnd = new SplittableRandom(SEED + 5);
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < ROUNDS; i++) {
            Instant t = Instant.ofEpochSecond(rnd.nextLong(max), rnd.nextInt(1_000_000_000));
            byte[] der = DerWriter.kerberosTime(t);
            assertEquals(formatter.format(t), new String(der, 2, der.length - 2, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void stringsAndOids_roundTrip() throws DerException {
        SplittableRandom rnd = new SplittableRandom(SEED + 4);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] octets = new byte[rnd.nextInt(400)];
            rnd.nextBytes(octets);
            String name = "HTTP/host" + rnd.nextInt(1_000_000) + ".example.com";
            String oid = "1." + rnd.nextInt(40) + "." + rnd.nextLong(Long.MAX_VALUE >> 8) + "." + rnd.nextInt(128);
            byte[] der = DerWriter.sequence(
                    DerWriter.explicit(0, DerWriter.octetString(octets)),
                    DerWriter.explicit(1, DerWriter.generalString(name)),
                    DerWriter.explicit(2, DerWriter.oid(DerWriter.oidContents(oid))),
                    DerWriter.explicit(3, DerWriter.enumerated(rnd.nextInt(256) - 128)));
            DerReader outer = DerReader.of(der);
            DerReader seq = outer.readConstructed(DerReader.SEQUENCE);
            assertArrayEquals(octets, seq.readExplicit(0).readOctetString());
            assertEquals(name, seq.readExplicit(1).readGeneralString());
            assertArrayEquals(DerWriter.oidContents(oid), seq.readExplicit(2).readOid(), oid);
            seq.readExplicit(3).readEnumerated();
            seq.expectEnd();
            outer.expectEnd();
        }
    }

    @Test
    void generalString_utf8() throws DerException {
        byte[] der = DerWriter.generalString("jürgen");
        assertEquals(2 + "jürgen".getBytes(StandardCharsets.UTF_8).length, der.length);
        assertEquals("jürgen", DerReader.of(der).readGeneralString());
    }
}

package io.kerbgate.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig.Sessions.Cookie;
import io.kerbgate.keys.CookieKeys;
import io.kerbgate.sessions.SessionCookies.Opened;
import io.kerbgate.sessions.SessionCookies.Result;
import io.kerbgate.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

final class SessionCookiesTest {

    private static final String KEY1 = "11".repeat(32);
    private static final String KEY2 = "22".repeat(32);
    private static final Cookie COOKIE = new Cookie("kerbgate_session", Path.of("unused"), Duration.ofHours(8), true);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @Test
    void token_isVersionNonceAndAesGcm_overTheDocumentedPlaintext_withTheNameAndVersionAsAad() throws Exception {
        SessionCookies cookies = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY1), clock);
        String setCookie = cookies.issue("alice@ARRAY.TEST", List.of("S-1-1", "S-1-2"), Instant.MAX);
        byte[] token = Base64.getUrlDecoder().decode(value(setCookie));
        assertEquals(SessionCookies.VERSION, token[0]);

        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(HexFormat.of().parseHex(KEY1), "AES"),
                new GCMParameterSpec(128, token, 1, 12));
        cipher.updateAAD("kerbgate_session\u0001".getBytes(StandardCharsets.US_ASCII));
        byte[] plain = cipher.doFinal(token, 13, token.length - 13);
        long now = clock.instant().getEpochSecond();
        assertArrayEquals(("alice@ARRAY.TEST\nS-1-1,S-1-2\n" + (now + 8 * 3600) + "\n" + now)
                .getBytes(StandardCharsets.UTF_8), plain);

        Opened opened = cookies.open(List.of("x=1; kerbgate_session=" + value(setCookie)));
        assertEquals(new Opened(Result.USED, "alice@ARRAY.TEST", List.of("S-1-1", "S-1-2")), opened);
    }

    @Test
    void aCookieOfAnotherName_doesNotOpen_evenWithTheSameKey() {
        SessionCookies ours = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY1), clock);
        SessionCookies other = new SessionCookies(new Cookie("other", Path.of("unused"), Duration.ofHours(1), true),
                () -> CookieKeys.parse(KEY1), clock);
        String token = value(other.issue("alice@ARRAY.TEST", List.of(), Instant.MAX));
        assertEquals(Result.INVALID, ours.open(List.of("kerbgate_session=" + token)).result());
    }

    @Test
    void everyKeyOpens_theFirstSeals() {
        SessionCookies old = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY1), clock);
        SessionCookies both = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY2 + "\n" + KEY1), clock);
        SessionCookies fresh = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY2), clock);
        String sealedOld = "kerbgate_session=" + value(old.issue("a@R", List.of(), Instant.MAX));
        String sealedBoth = "kerbgate_session=" + value(both.issue("a@R", List.of(), Instant.MAX));

        assertEquals(Result.USED, both.open(List.of(sealedOld)).result());
        assertEquals(Result.USED, fresh.open(List.of(sealedBoth)).result(), "sealed with the first key");
        assertEquals(Result.INVALID, fresh.open(List.of(sealedOld)).result());
    }

    @Test
    void expiry_andGarbage() {
        SessionCookies cookies = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY1), clock);
        String pair = "kerbgate_session=" + value(cookies.issue("a@R", List.of(), clock.instant().plusSeconds(60)));
        assertTrue(cookies.issue("a@R", List.of(), clock.instant().plusSeconds(60)).contains("Max-Age=60"));
        clock.advance(Duration.ofSeconds(60));
        assertEquals(Result.EXPIRED, cookies.open(List.of(pair)).result());
        assertEquals(Result.EXPIRED, cookies.open(List.of("kerbgate_session=junk; " + pair)).result());
        assertEquals(Result.ABSENT, cookies.open(List.of("a=1")).result());
        assertEquals(Result.INVALID, cookies.open(List.of("kerbgate_session=!!")).result());
        assertEquals(Result.INVALID, cookies.open(List.of("kerbgate_session=")).result());
        assertNull(cookies.issue("a\n@R", List.of(), Instant.MAX), "a principal the format cannot carry");
        assertNull(cookies.issue("a@R", List.of(), clock.instant()), "an ended ticket");
    }

    @Test
    void strip_keepsTheOtherCookiesInOrder() {
        SessionCookies cookies = new SessionCookies(COOKIE, () -> CookieKeys.parse(KEY1), clock);
        List<String> none = List.of("a=1;b=2");
        assertSame(none, cookies.strip(none));
        assertEquals(List.of("a=1; b=2; c=3"),
                cookies.strip(List.of("a=1; kerbgate_session=x; b=2", "kerbgate_session=y; c=3")));
        assertNull(cookies.strip(List.of("kerbgate_session=x")));
        assertEquals(List.of("kerbgate_sessionx=1"), cookies.strip(List.of("kerbgate_sessionx=1; kerbgate_session=x")));
    }

    @Test
    void keyFileFormat() {
        assertEquals(2, CookieKeys.parse("# c\n" + KEY1 + "\r\n\n" + KEY2.toUpperCase() + "\n").keys().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CookieKeys.parse(KEY1 + "\n" + KEY2.substring(2)));
        assertTrue(e.getMessage().startsWith("line 2 is not a key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CookieKeys.parse(""));
    }

    private static String value(String setCookie) {
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }
}

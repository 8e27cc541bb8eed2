package io.kerbgate.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.config.GatewayConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/                          | /",
        "/a/b?q=1                   | /a/b",
        "/a/b/                      | /a/b/",
        "/%61dmin/                  | /admin/",
        "/x/../admin/               | /admin/",
        "/x/./admin                 | /x/admin",
        "/a/.                       | /a/",
        "//admin                    | /admin",
        "/a//b///c                  | /a/b/c",
        "/admin;x/secret            | /admin/secret",
        "/admin;jsessionid=1/users  | /admin/users",
        "/a/b;jsessionid=1          | /a/b",
        "/;jsessionid=1             | /",
        "/caf%C3%A9                 | /café",
        "/a%2Ejs                    | /a.js",
        "/100%25                    | /100%",
        "/a?x=%2F&y=..;             | /a",
        "/a:b@c!$&'()*+,=           | /a:b@c!$&'()*+,=",
        "http://h                   | /",
        "http://h?x                 | /",
        "HTTPS://h/a/b              | /a/b",
    })
    void pathIsTheServletReading(String uri, String path) throws Exception {
        assertEquals(path, RequestTarget.of(uri, "h").path());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/admin;x/secret    | /admin/secret, /admin;x/secret",
        "/%61dmin/          | /admin/, /%61dmin/",
        "//admin            | /admin, //admin",
        "/a//../b           | /b, /a/b, /a/../b, /a//../b",
        "/x/../admin/       | /admin/, /x/../admin/",
        "/plain/path        | /plain/path",
    })
    void readingsAreEveryWayABackendMayReadThePath(String uri, String readings) throws Exception {
        assertEquals(List.of(readings.split(", ")), RequestTarget.of(uri, "h").readings());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/static/..;/admin/secret   | path parameter on a dot segment",
        "/a/.;x/b                   | path parameter on a dot segment",
        "/a/%2e%2e/b                | dot segment spelled with escapes",
        "/a/.%2E/b                  | dot segment spelled with escapes",
        "/a/%2e                     | dot segment spelled with escapes",
        "/a%2fb                     | escaped '/'",
        "/a%2Fb                     | escaped '/'",
        "/a%5cb                     | escaped '\\'",
        "/a%3bx/b                   | escaped ';'",
        "/a\\b                      | backslash",
        "/a%252fb                   | double escape %252f",
        "/a%252e%252e/b             | double escape %252e",
        "/a%00b                     | escaped control character %00",
        "/a%0d%0ab                  | escaped control character %0D",
        "/a%c2%85                   | escaped control character U+0085",
        "/a%c0%ae%c0%ae/b           | not UTF-8",
        "/a%ff                      | not UTF-8",
        "/a%e2%82                   | not UTF-8",
        "/a%zz                      | malformed escape",
        "/a%4                       | malformed escape",
        "/a%u002f                   | malformed escape",
        "/ADMINI~1/x                | 8.3 short name",
        "/static/PROGRA~2.JS        | 8.3 short name",
        "/a#frag                    | fragment",
        "/../etc                    | above the root",
        "/a/../../etc               | above the root",
        "admin/x                    | neither starts with /",
        "gw.test:443                | neither starts with /",
        "ftp://h/admin              | scheme ftp",
        "file:///etc/passwd         | scheme file",
        "http:///admin              | empty target authority",
        "http://bob@h/admin         | userinfo",
        "http://h:99999/            | bad port",
        "http://h:8o/               | bad port",
        "http://h%2fx/              | bad host name",
    })
    void refused(String uri, String why) {
        RequestTarget.Invalid e = assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.of(uri, "h"));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void asteriskIsForOptionsOnly_andNamesTheRoot() throws Exception {
        RequestTarget target = RequestTarget.parse("OPTIONS", "*", List.of("h"), true);
        assertEquals("/", target.path());
        assertEquals("*", target.originForm());
        assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.parse("GET", "*", List.of("h"), true));
    }

    @Test
    void originFormIsForwardedAsSent() throws Exception {
        assertEquals("/admin/users;jsessionid=1?a=%2F", RequestTarget.of("/admin/users;jsessionid=1?a=%2F", "h")
                .originForm());
        assertEquals("/p?q", RequestTarget.of("http://other.test/p?q", "h").originForm());
        assertEquals("/?q", RequestTarget.of("http://other.test?q", "h").originForm());
    }

    @ParameterizedTest(name = "{0} / {1} -> {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "/a                         | Example.TEST:8080     | example.test | example.test:8080",
        "/a                         | example.test.         | example.test | example.test",
        "/a                         | example.test:         | example.test | example.test",
        "/a                         | example.test:0080     | example.test | example.test:80",
        "/a                         | '[::1]:8080'          | [::1]        | [::1]:8080",
        "/a                         | '[FE80::1]'           | [fe80::1]    | [fe80::1]",
        "/a                         | 10.0.0.1              | 10.0.0.1     | 10.0.0.1",
        "http://Other.Test:81/a?b   | example.test          | other.test   | other.test:81",
        "http://public.test/payroll | intranet.test         | public.test  | public.test",
    })
    void hostComesFromTheAbsoluteTargetElseTheHostHeader(String uri, String host, String expected, String authority)
            throws Exception {
        RequestTarget target = RequestTarget.of(uri, host);
        assertEquals(expected, target.host());
        assertEquals(authority, target.authority());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "''                | empty Host",
        "'  '              | empty Host",
        "u@example.test    | userinfo",
        "a b               | bad host name",
        "a,b               | bad host name",
        "example..test     | bad host name",
        ".example.test     | bad host name",
        "caf\u00e9.test     | bad host name",
        "'[::1'            | bad IPv6",
        "'[fe80::1%25eth0]' | bad IPv6",
        "'[::1]x'          | bad port",
        "h:-1              | bad port",
    })
    void badHostIsRefused(String host, String why) {
        RequestTarget.Invalid e = assertThrows(RequestTarget.Invalid.class, () -> RequestTarget.of("/", host));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void hostIsRequiredOnceOnHttp11_andOptionalOnHttp10() throws Exception {
        assertTrue(assertThrows(RequestTarget.Invalid.class,
                () -> RequestTarget.parse("GET", "/", List.of(), true)).getMessage().contains("no Host"));
        assertTrue(assertThrows(RequestTarget.Invalid.class,
                () -> RequestTarget.parse("GET", "/", List.of("a", "b"), true)).getMessage().contains("2 Host"));
        RequestTarget http10 = RequestTarget.parse("GET", "/", List.of(), false);
        assertNull(http10.host());
        assertNull(http10.authority());
    }

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @CsvSource({
        "/admin,         /admin,  true",
        "/admin/x,       /admin,  true",
        "/admin/x,       /admin/, true",
        "/admin,         /admin/, true",
        "/admi,          /admin/, false",
        "/administrator, /admin,  false",
        "/administrator, /admin/, false",
        "/anything,      /,       true",
    })
    void underIsSegmentWise_andAPrefixCoversItselfWithoutItsSlash(String path, String prefix, boolean under)
            throws Exception {
        assertEquals(under, RequestTarget.of(path, null).under(prefix));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/admin/users;jsessionid=1   | admin",
        "/admin                      | admin",
        "/static/app.js;v=2          | static",
        "/static/a/../b.js           | static",
        "/static//a.js               | static",
        "/Static/A.JS                | ambiguous",
        "/ADMIN/x                    | ambiguous",
        "/admin;x/secret             | ambiguous",
        "/admin;jsessionid=1/users   | ambiguous",
        "/static;x/a                 | ambiguous",
        "/%61dmin/x                  | ambiguous",
        "//admin/x                   | ambiguous",
        "/static//../admin/x         | ambiguous",
        "/static/../admin/x          | ambiguous",
        "/admin/../static/x          | ambiguous",
        "/;x/admin/y                 | ambiguous",
        "/admin./x                   | ambiguous",
        "/admin%20/x                 | ambiguous",
        "/Admin.%20./x               | ambiguous",
        "/admin.                     | ambiguous",
        "/~alice/a~b.txt             | none",
        "/static/v1.2./app.js        | static",
        "/other/%61;x//./y           | none",
    })
    void readingsThatDisagreeOnTheRouteAreRefused(String uri, String expected) throws Exception {
        AccessRules rules = AccessRules.of(List.of(
                new GatewayConfig.Route("static", "/static/", null, true, null, null),
                new GatewayConfig.Route("admin", "/admin/", null, false, null, null)), new SimpleMeterRegistry());
        RequestTarget target = RequestTarget.of(uri, "h");
        if (expected.equals("ambiguous")) {
            RequestTarget.Invalid e = assertThrows(RequestTarget.Invalid.class, () -> rules.route(target));
            assertTrue(e.getMessage().startsWith("ambiguous path"), e.getMessage());
        } else {
            assertEquals(expected, rules.route(target).name());
        }
    }

    @Test
    void aRoutePrefixWithCapitalsIsAmbiguousInAnotherCase() throws Exception {
        AccessRules rules = AccessRules.of(List.of(new GatewayConfig.Route("app", "/App/", null, true, null, null)),
                new SimpleMeterRegistry());
        assertEquals("app", rules.route(RequestTarget.of("/App/x", "h")).name());
        assertThrows(RequestTarget.Invalid.class, () -> rules.route(RequestTarget.of("/app/x", "h")));
        assertFalse(RequestTarget.of("/app/x", "h").under("/App/"));
    }
}

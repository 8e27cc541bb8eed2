package io.kerbgate.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1} plain={2}")
    @CsvSource(delimiter = '|', value = {
        "/                       | /                | true",
        "/a/b?q=1#f              | /a/b             | true",
        "/a/b/                   | /a/b/            | true",
        "/%61dmin/               | /admin/          | true",
        "/x/../admin/            | /admin/          | false",
        "/x/./admin              | /x/admin         | false",
        "/a/%2e%2e/admin         | /admin           | false",
        "/a/%2E%2E/admin         | /admin           | false",
        "/a%2fb                  | /a/b             | false",
        "//admin                 | /admin           | false",
        "/a\\..\\admin           | /admin           | false",
        "/../../etc              | /etc             | false",
        "/a/..                   | /                | false",
        "/%25                    | /%               | false",
        "/caf%C3%A9              | /café            | true",
        "/bad%zz                 | /bad%zz          | true",
        "*                       | *                | true",
    })
    void normalizesThePath(String uri, String path, boolean plain) {
        RequestTarget target = RequestTarget.of(uri, "h");

        assertEquals(path, target.path());
        assertEquals(plain, target.plain());
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "/a                         | Example.TEST:8080 | example.test",
        "/a                         | example.test.     | example.test",
        "/a                         | '[::1]:8080'      | [::1]",
        "http://Other.Test:81/a?b   | example.test      | other.test",
        "http://u@other.test        | example.test      | other.test",
    })
    void hostComesFromTheAbsoluteTargetElseTheHostHeader(String uri, String host, String expected) {
        assertEquals(expected, RequestTarget.of(uri, host).host());
    }

    @ParameterizedTest(name = "[{index}]")
    @CsvSource({"''", "'  '"})
    void noHost(String host) {
        assertNull(RequestTarget.of("/", host).host());
        assertNull(RequestTarget.of("/", null).host());
    }

    @ParameterizedTest(name = "{0} under {1}: {2}")
    @CsvSource({
        "/admin,       /admin,  true",
        "/admin/x,     /admin,  true",
        "/admin/x,     /admin/, true",
        "/admin,       /admin/, false",
        "/administrator, /admin, false",
        "/anything,    /,       true",
    })
    void underIsSegmentWise(String path, String prefix, boolean under) {
        assertEquals(under, RequestTarget.of(path, null).under(prefix));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"http://h", "http://h?x"})
    void absoluteTargetWithoutPath_isTheRoot(String uri) {
        RequestTarget target = RequestTarget.of(uri, null);
        assertEquals("/", target.path());
        assertTrue(target.plain());
        assertFalse(target.under("/a"));
    }
}

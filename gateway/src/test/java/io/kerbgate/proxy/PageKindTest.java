package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

/** Which body a client gets for what it sends as {@code Accept}: the headers real clients send, and nonsense. */
final class PageKindTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // Browsers' navigation requests.
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8 | HTML",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
                + "application/signed-exchange;v=b3;q=0.7 | HTML",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8 | HTML",
        // Command-line and script clients: curl, wget, fetch(), python-requests.
        "*/* | PLAIN",
        "*/*;q=0.5 | PLAIN",
        // API clients.
        "application/json | JSON",
        "application/json, text/plain, */* | JSON",
        "application/problem+json | JSON",
        "application/* | JSON",
        "application/vnd.github+json, application/json;q=0.9 | JSON",
        "text/plain, application/json | PLAIN",
        "text/plain;q=0.5, application/json | JSON",
        // A named type outranks a wildcard of the same weight; q=0 refuses even a named type.
        "text/*, application/json | JSON",
        "text/html;q=0, */* | PLAIN",
        "application/json;q=0, text/html;q=0, */*;q=0.1 | PLAIN",
        "TEXT/HTML | HTML",
        " text/html ; q=1.000 | HTML",
        "text/* | PLAIN",
        // Nothing of ours, or unparsable: the one line, never a 406.
        "image/png | PLAIN",
        "text/html;q=2 | PLAIN",
        "text/html;q=0.12345 | PLAIN",
        "text/html;q=abc | PLAIN",
        "text/html;q= | PLAIN",
        ",,,;;; | PLAIN",
        "text/html;level=1;q=0.9;charset=utf-8 | HTML",
    })
    void choice(String accept, PageKind expected) {
        assertEquals(expected, PageKind.of(accept));
    }

    @ParameterizedTest
    @NullAndEmptySource
    void noHeader_isPlain(String accept) {
        assertEquals(PageKind.PLAIN, PageKind.of(accept));
    }

    @ParameterizedTest(name = "{0} ranges")
    @CsvSource({"31, HTML", "32, PLAIN", "5000, PLAIN"})
    void onlyTheFirstRangesAreRead(int before, PageKind expected) {
        String accept = "image/png,".repeat(before) + "text/html";
        assertEquals(expected, PageKind.of(accept));
    }
}

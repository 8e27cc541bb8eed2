package io.kerbgate.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestTarget#isPlain}, the request path's shortcut, against the full computation it skips: on every path it
 * calls plain, {@link RequestTarget#allReadings} gives that path as its only reading, and never refuses it.
 */
final class PlainPathTest {

    // Every character the readings treat specially, and a few they do not.
    private static final String ALPHABET = "/./..%2e%2E;~\\aZ1-_/.x/";
    private static final int PATHS = 200_000;

    @Test
    void whereverThePathIsPlain_theFullComputationAgrees() {
        long seed = Long.getLong("plainPath.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        int plain = 0;
        for (int n = 0; n < PATHS; n++) {
            StringBuilder path = new StringBuilder("/");
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                path.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String p = path.toString();
            if (!RequestTarget.isPlain(p)) {
                continue;
            }
            plain++;
            try {
                assertEquals(List.of(p), RequestTarget.allReadings(p), "seed " + seed + ": " + p);
            } catch (RequestTarget.Invalid e) {
                fail("seed " + seed + ": plain path " + p + " is refused by the full computation: " + e.getMessage());
            }
        }
        assertTrue(plain > PATHS / 20, "the generator reaches plain paths: " + plain);
    }

    @Test
    void theShapesThatNeedTheFullComputation() {
        for (String p : List.of("/a//b", "/a/./b", "/a/../b", "/a/.", "/a/..", "/%61", "/a;b", "/a\\b", "/ADMINI~1",
                "//")) {
            assertFalse(RequestTarget.isPlain(p), p);
        }
        for (String p : List.of("/", "/a", "/a/", "/a.b/.c/..d/c..", "/x/y.", "/.well-known/x")) {
            assertTrue(RequestTarget.isPlain(p), p);
        }
    }
}

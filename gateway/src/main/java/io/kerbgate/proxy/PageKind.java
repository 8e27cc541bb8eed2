package io.kerbgate.proxy;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which body of a 401 or 403 a client gets, by its {@code Accept} header (RFC 9110 §12.5.1): a page for browsers, a
 * problem document for API clients, a line of text for everyone else.
 *
 * <p>The highest weight wins. Ties go to the type the client named over one a wildcard covers (an API client's
 * {@code application/json, text/plain, *}{@code /*}), then to the one named first, then to plain text, so that
 * {@code *}{@code /*} (curl, fetch) and no header keep the one-line answer. The header is the client's: anything it
 * cannot parse counts for nothing, and the answer is never a 406.
 */
enum PageKind {
    PLAIN, HTML, JSON;

    /** How many media ranges are read: a browser sends about ten; the rest of a longer header is ignored. */
    static final int MAX_RANGES = 32;

    static PageKind of(@Nullable String accept) {
        if (accept == null || accept.isEmpty()) {
            return PLAIN;
        }
        Score[] scores = {new Score(), new Score(), new Score()};
        int position = 0;
        int start = 0;
        while (start <= accept.length() && position < MAX_RANGES) {
            int end = accept.indexOf(',', start);
            if (end < 0) {
                end = accept.length();
            }
            String range = accept.substring(start, end).trim();
            if (!range.isEmpty()) {
                weigh(range, position++, scores);
            }
            start = end + 1;
        }
        PageKind best = PLAIN;
        for (PageKind kind : values()) {
            if (scores[kind.ordinal()].beats(scores[best.ordinal()])) {
                best = kind;
            }
        }
        return scores[best.ordinal()].weight > 0 ? best : PLAIN;
    }

    /** What one media range says of each kind; a more specific range that matches overrides a less specific one. */
    private static void weigh(String range, int position, Score[] scores) {
        int semicolon = range.indexOf(';');
        String type = (semicolon < 0 ? range : range.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        int weight = semicolon < 0 ? 1000 : weight(range.substring(semicolon + 1));
        if (weight < 0) {
            return;
        }
        for (PageKind kind : values()) {
            int specificity = kind.specificity(type);
            Score score = scores[kind.ordinal()];
            if (specificity > score.specificity) {
                score.specificity = specificity;
                score.weight = weight;
                score.position = position;
            }
        }
    }

    /** 3 for a type this kind is sent as, 2 for its {@code type/*}, 1 for {@code *}{@code /*}, 0 for no match. */
    private int specificity(String type) {
        return switch (this) {
            case PLAIN -> type.equals("text/plain") ? 3 : type.equals("text/*") ? 2 : type.equals("*/*") ? 1 : 0;
            case HTML -> type.equals("text/html") || type.equals("application/xhtml+xml") ? 3
                    : type.equals("text/*") ? 2 : type.equals("*/*") ? 1 : 0;
            case JSON -> type.equals("application/json") || type.equals("application/problem+json") ? 3
                    : type.equals("application/*") ? 2 : type.equals("*/*") ? 1 : 0;
        };
    }

    /** The {@code q} parameter in thousandths: 1000 without one, -1 when malformed (the range counts for nothing). */
    private static int weight(String parameters) {
        for (String parameter : parameters.split(";", 8)) {
            String p = parameter.trim();
            if (p.length() < 2 || (p.charAt(0) != 'q' && p.charAt(0) != 'Q') || p.charAt(1) != '=') {
                continue;
            }
            return qvalue(p.substring(2));
        }
        return 1000;
    }

    /** RFC 9110 §12.4.2: {@code 0[.ddd]} or {@code 1[.000]}. */
    private static int qvalue(String q) {
        if (q.isEmpty() || q.length() > 5 || (q.charAt(0) != '0' && q.charAt(0) != '1')) {
            return -1;
        }
        int value = (q.charAt(0) - '0') * 1000;
        if (q.length() > 1) {
            if (q.charAt(1) != '.') {
                return -1;
            }
            int scale = 100;
            for (int i = 2; i < q.length(); i++, scale /= 10) {
                char c = q.charAt(i);
                if (c < '0' || c > '9') {
                    return -1;
                }
                value += (c - '0') * scale;
            }
        }
        return value > 1000 ? -1 : value;
    }

    private static final class Score {
        int specificity;
        int weight;
        int position = Integer.MAX_VALUE;

        /** Heavier, then named rather than covered by a wildcard, then earlier; a tie keeps the earlier kind. */
        boolean beats(Score other) {
            if (weight != other.weight) {
                return weight > other.weight;
            }
            boolean named = specificity == 3;
            if (named != (other.specificity == 3)) {
                return named;
            }
            return named && position < other.position;
        }
    }
}

package io.kerbgate.proxy;

import static io.kerbgate.proxy.RoutedProxy.ALICE;
import static io.kerbgate.proxy.RoutedProxy.BOB;
import static io.kerbgate.proxy.RoutedProxy.auth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Differential: a seeded corpus of tricky targets goes through the real proxy to real Tomcat and Jetty
 * ({@link ServletBackends}, both lenient), as nobody, as alice (on no protected route) and as bob (on all). Whenever
 * the proxy forwards a request, the servlet the container dispatched it to must lie under the route the proxy decided
 * it by (read from {@code kerbgate.access.requests}); otherwise the proxy must have refused it. The proxy never
 * answers 5xx.
 */
final class PathDifferentialTest {

    private static final long SEED = 11L;
    private static final int CORPUS = 2_500;

    /** The path prefixes of the routes that apply to {@code Host: gw.test} ({@link RoutedProxy#ROUTES}). */
    private static final Map<String, String> PREFIXES = Map.of(
            "static", "/static/", "admin", "/admin/", "secret", "/secret", "ctx", "/ctx/");

    private static final String[] ATOMS = {
        "admin", "static", "secret", "ctx", "x", "users", "a.jsp", "", ".", "..", "..;", ".;", ";", ";x",
        "ADMIN", "Admin", "Static", "SECRET", "CTX", "%61dmin", "%41DMIN", "adm%69n", "st%61tic", "s%65cret", "%63tx",
        "admin;x", "admin;jsessionid=1", "static;a=b", "secret;x", "ctx;x", "..;x", ".;jsessionid=1",
        "%2e", "%2e%2e", ".%2e", "%2E.", "%2e;", "%252e%252e", "%c0%ae%c0%ae", "%c0%ae", "%ef%bc%8e",
        "admin%2f", "%2fadmin", "admin%5c", "%5c", "admin%3bx", "%3b", "%252f", "%25", "%2525", "%00", "admin%00",
        "%ff", "%e2%80%ae", "%0a", "a%20b", "admin%20", "admin.", "admin..", "admin~", "%7eadmin", "admin.jsp",
        "secret.jsp", "index.jsp;jsessionid=1", "*", "secret/", "admin#x", "static?x=/admin/",
    };
    /** Half the segments are ordinary, so that many requests are forwarded and the containers' reading is seen. */
    private static final String[] PLAIN = {"admin", "static", "secret", "ctx", "x", "users", "a.jsp", "", ".", ".."};
    private static final String[] SEPARATORS = {"/", "/", "/", "/", "//", "\\", "%2f", "%5c", "/./", "/;/", "/.;/"};

    @TempDir
    Path dir;

    @Test
    void everyForwardedRequestReachesAServletUnderItsRoute() throws Exception {
        List<String> corpus = corpus();
        long start = System.nanoTime();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        try (ServletBackends.Container tomcat = ServletBackends.tomcat(Files.createDirectories(dir.resolve("tc")));
             ServletBackends.Container jetty = ServletBackends.jetty()) {
            for (ServletBackends.Container container : List.of(tomcat, jetty)) {
                try (RoutedProxy proxy = new RoutedProxy(container.uri(),
                        Files.createDirectories(dir.resolve(container.name())))) {
                    run(proxy, container.name(), corpus, outcomes, violations);
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("path differential: %d targets x 3 principals x 2 containers in %d ms: %s%n",
                corpus.size(), millis, outcomes);
        assertTrue(violations.isEmpty(), violations.size() + " violations, first: "
                + violations.subList(0, Math.min(20, violations.size())));
        // The corpus has to exercise both sides: forwards to every servlet, and refusals.
        for (String servlet : List.of("admin", "static", "secret", "ctx", "default", "jsp")) {
            assertTrue(outcomes.getOrDefault("tomcat dispatched " + servlet, 0) > 0, servlet + ": " + outcomes);
            assertTrue(outcomes.getOrDefault("jetty dispatched " + servlet, 0) > 0, servlet + ": " + outcomes);
        }
        assertTrue(outcomes.getOrDefault("tomcat refused 400", 0) > corpus.size() / 4, outcomes.toString());
    }

    /** Normal URLs keep working and reach the servlet the route names, on both containers. */
    @ParameterizedTest(name = "{0} as {1} -> {2}")
    @CsvSource({
        "/admin/users,                   bob,       admin",
        "/admin,                         bob,       admin",
        "/admin/,                        bob,       admin",
        "/admin/users;jsessionid=ABC,    bob,       admin",
        "/admin/users?next=/static/x,    bob,       admin",
        "/admin/caf%C3%A9,               bob,       admin",
        "/admin/a%20b,                   bob,       admin",
        "/secret,                        bob,       secret",
        "/ctx/page;jsessionid=1,         bob,       ctx",
        "/static/app.js?v=3,             anonymous, static",
        "/static/app.js;jsessionid=1,    anonymous, static",
        "/static,                        anonymous, static",
        "/static/img/../app.js,          anonymous, static",
        "/static//app.js,                anonymous, static",
        "/index.jsp;jsessionid=1,        alice,     jsp",
        "/;jsessionid=1,                 alice,     default",
        "/other%7Epage,                  alice,     default",
    })
    void normalUrls_reachTheirServlet(String target, String who, String servlet) throws Exception {
        try (ServletBackends.Container tomcat = ServletBackends.tomcat(Files.createDirectories(dir.resolve("tc")));
             ServletBackends.Container jetty = ServletBackends.jetty()) {
            for (ServletBackends.Container container : List.of(tomcat, jetty)) {
                try (RoutedProxy proxy = new RoutedProxy(container.uri(),
                        Files.createDirectories(dir.resolve(container.name())))) {
                    RawHttp.Response response = proxy.send(RoutedProxy.get(target, principal(who)));
                    assertEquals(200, response.status(), container.name() + " " + response.text());
                    assertEquals(servlet, response.header("X-Servlet"), container.name());
                }
            }
        }
    }

    private static void run(RoutedProxy proxy, String container, List<String> corpus, Map<String, Integer> outcomes,
                            List<String> violations) throws IOException {
        RawHttp raw = null;
        try {
            for (String target : corpus) {
                for (String who : List.of("anonymous", "alice", "bob")) {
                    Map<String, Double> before = proxy.routeCounts();
                    double badBefore = proxy.authRejected("bad_target");
                    String request = "GET " + target + " HTTP/1.1\r\nHost: gw.test\r\n" + auth(principal(who)) + "\r\n";
                    RawHttp.Response response;
                    try {
                        if (raw == null) {
                            raw = new RawHttp(proxy.port);
                        }
                        response = raw.send(request).read();
                    } catch (IOException e) {
                        // The proxy closed (a request its decoder refused): one retry on a fresh connection.
                        closeQuietly(raw);
                        raw = new RawHttp(proxy.port);
                        response = raw.send(request).read();
                    }
                    if ("close".equalsIgnoreCase(response.header("Connection"))) {
                        closeQuietly(raw);
                        raw = null;
                    }
                    String route = decided(before, proxy.routeCounts());
                    String servlet = response.header("X-Servlet");
                    String where = container + " " + who + " " + target + " -> " + response.status();
                    if (servlet != null) {
                        count(outcomes, container + " dispatched " + servlet);
                        // The path as the container read it must lie under the route the proxy decided by; a
                        // request decided by no route must not be under any route's prefix.
                        String served = response.echo("contextPath") + response.echo("servletPath")
                                + (response.echo("pathInfo").equals("null") ? "" : response.echo("pathInfo"));
                        boolean consistent = route != null && (PREFIXES.containsKey(route)
                                ? under(served, PREFIXES.get(route))
                                : route.equals("none") && PREFIXES.values().stream().noneMatch(p -> under(served, p)));
                        if (!consistent) {
                            violations.add(where + " route " + route + " but " + servlet + " served " + served);
                        }
                        if (who.equals("anonymous") && !servlet.equals("static")
                                || who.equals("alice") && Set.of("admin", "secret", "ctx").contains(servlet)) {
                            violations.add(where + " reached " + servlet);
                        }
                    } else if (response.header("Via") == null) {
                        count(outcomes, container + " refused " + response.status());
                        if (response.status() >= 500) {
                            violations.add(where + " answered by the proxy itself");
                        }
                        if (response.status() == 400 && proxy.authRejected("bad_target") != badBefore + 1) {
                            violations.add(where + " 400 without bad_target counted");
                        }
                    } else {
                        count(outcomes, container + " answered " + response.status());
                    }
                }
            }
        } finally {
            closeQuietly(raw);
        }
    }

    /** Segment-wise, and a prefix with a trailing slash covers itself without it (as the proxy matches). */
    private static boolean under(String path, String prefix) {
        String bare = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return path.equals(bare) || path.startsWith(bare + "/");
    }

    /** The one route whose count moved, or {@code null}. */
    private static String decided(Map<String, Double> before, Map<String, Double> after) {
        String route = null;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            if (!e.getValue().equals(before.getOrDefault(e.getKey(), 0.0))) {
                if (route != null) {
                    return "two routes: " + route + ", " + e.getKey();
                }
                route = e.getKey();
            }
        }
        return route;
    }

    /** Seeded: segments from {@link #ATOMS} joined by {@link #SEPARATORS}, some absolute-form, query or slash. */
    static List<String> corpus() {
        Random random = new Random(SEED);
        Set<String> targets = new LinkedHashSet<>();
        for (String atom : ATOMS) {
            targets.add("/" + atom);
            targets.add("/" + atom + "/y");
            targets.add("/static/" + atom + "/admin/y");
        }
        while (targets.size() < CORPUS) {
            StringBuilder t = new StringBuilder();
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                t.append(i == 0 ? "/" : SEPARATORS[random.nextInt(SEPARATORS.length)]);
                t.append(random.nextBoolean() ? PLAIN[random.nextInt(PLAIN.length)]
                        : ATOMS[random.nextInt(ATOMS.length)]);
            }
            switch (random.nextInt(10)) {
                case 0 -> t.append('/');
                case 1 -> t.append("?q=../admin");
                case 2 -> t.insert(0, random.nextBoolean() ? "http://gw.test" : "HTTP://GW.TEST:80");
                default -> { }
            }
            targets.add(t.toString());
        }
        return new ArrayList<>(targets);
    }

    private static String principal(String who) {
        return switch (who) {
            case "alice" -> ALICE;
            case "bob" -> BOB;
            default -> null;
        };
    }

    private static void count(Map<String, Integer> outcomes, String key) {
        outcomes.merge(key, 1, Integer::sum);
    }

    private static void closeQuietly(RawHttp raw) {
        if (raw != null) {
            try {
                raw.close();
            } catch (IOException e) {
                // closing a socket the peer already closed
            }
        }
    }
}

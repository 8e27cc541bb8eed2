package io.kerbgate.proxy;

import static io.kerbgate.proxy.RoutedProxy.ALICE;
import static io.kerbgate.proxy.RoutedProxy.BOB;
import static io.kerbgate.proxy.RoutedProxy.auth;
import static io.kerbgate.proxy.RoutedProxy.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #11, items 2 and 3, through the real proxy to real Tomcat and Jetty: a route covers every spelling of its path
 * that the container serves, and the authority that chose the route is the authority the container sees.
 */
final class RouteSpellingsTest {

    @TempDir
    static Path dir;

    private static ServletBackends.Container tomcat;
    private static ServletBackends.Container jetty;
    private static Map<String, RoutedProxy> proxies;

    @BeforeAll
    static void start() throws Exception {
        tomcat = ServletBackends.tomcat(dir.resolve("tomcat"));
        jetty = ServletBackends.jetty();
        java.nio.file.Files.createDirectories(dir.resolve("t"));
        java.nio.file.Files.createDirectories(dir.resolve("j"));
        proxies = Map.of("tomcat", new RoutedProxy(tomcat.uri(), dir.resolve("t")),
                "jetty", new RoutedProxy(jetty.uri(), dir.resolve("j")));
    }

    @AfterAll
    static void stop() throws Exception {
        for (RoutedProxy p : proxies.values()) {
            p.close();
        }
        tomcat.close();
        jetty.close();
    }

    /** Item 2: spellings of /admin/ that the containers dispatch to the /admin/* servlet. */
    @ParameterizedTest(name = "{0} {1} as {2}")
    @CsvSource({
        "tomcat, /admin;x/secret,           alice",
        "jetty,  /admin;x/secret,           alice",
        "tomcat, /admin;jsessionid=1/users, alice",
        "jetty,  /admin;jsessionid=1/users, alice",
        "tomcat, /admin,                    alice",
        "jetty,  /admin,                    alice",
        "tomcat, /static/..;/admin/secret,  anonymous",
        "jetty,  /static/..;/admin/secret,  anonymous",
    })
    void item2_noSpellingOfAProtectedPathReachesItsServlet(String container, String target, String who)
            throws Exception {
        RawHttp.Response response = proxies.get(container).send(get(target, principal(who)));

        assertNotEquals("admin", response.header("X-Servlet"), response.status() + " " + response.text());
        assertEquals(who.equals("alice") && target.equals("/admin") ? 403 : 400, response.status(), response.text());
    }

    /** Item 3: the absolute-form target chose the route, so its authority is the one forwarded (RFC 9112 §3.2.2). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"tomcat", "jetty"})
    void item3_theAuthorityThatChoseTheRouteIsTheOneForwarded(String container) throws Exception {
        RoutedProxy proxy = proxies.get(container);
        RawHttp.Response response = proxy.send("GET http://public.example.test/payroll HTTP/1.1\r\n"
                + "Host: intranet.example.test\r\nX-Forwarded-Host: evil.test\r\n" + auth(ALICE) + "\r\n");

        assertEquals(200, response.status(), response.text());
        assertEquals("public.example.test", response.echo("host"));
        assertEquals("public.example.test", response.echo("serverName"));
        assertEquals("public.example.test", response.echo("xfh"));
        assertEquals("for=127.0.0.1;proto=http;host=public.example.test", response.echo("forwarded"));
        assertEquals("/payroll", response.echo("requestURI"));
        // And the other way round: the intranet route, chosen by the target, holds even with a public Host.
        assertEquals(403, proxy.send("GET http://intranet.example.test/payroll HTTP/1.1\r\n"
                + "Host: public.example.test\r\n" + auth(ALICE) + "\r\n").status());
        assertEquals("intranet.example.test", proxy.send("GET http://intranet.example.test/payroll HTTP/1.1\r\n"
                + "Host: public.example.test\r\n" + auth(BOB) + "\r\n").echo("host"));
    }

    private static String principal(String who) {
        return switch (who) {
            case "alice" -> ALICE;
            case "bob" -> BOB;
            default -> null;
        };
    }
}

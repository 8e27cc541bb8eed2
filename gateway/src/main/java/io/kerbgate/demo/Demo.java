package io.kerbgate.demo;

import io.kerbgate.Kerbgate;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.initiator.GssInitiator;
import io.kerbgate.initiator.GssMech;
import io.kerbgate.initiator.Negotiation;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code kerbgate demo}: the whole picture on one machine with nothing installed. An embedded KDC (Kerby) issues
 * tickets for the array principal, whose keytab the gateway loads; two backends stand behind the gateway; the JDK's
 * own Kerberos client authenticates through it. Prints what each backend saw, mutual authentication completing, a
 * spoofed identity header being replaced, and a replayed token being refused.
 */
public final class Demo {
    static final String REALM = "ARRAY.TEST";
    static final String HOST = "array.example.test";
    static final String SERVICE = "HTTP/" + HOST + "@" + REALM;
    private static final String USER = "alice";
    private static final String PASSWORD = "alice-demo-password";

    private Demo() {}

    public static int run(boolean keepRunning, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("kerbgate-demo");
        try {
            return run(dir, keepRunning, out);
        } finally {
            deleteTree(dir);
        }
    }

    private static int run(Path dir, boolean keepRunning, PrintStream out) throws Exception {
        Path keytab = dir.resolve("http.keytab");
        try (EmbeddedKdc kdc = EmbeddedKdc.start(Files.createDirectories(dir.resolve("kdc")), REALM, freePort())) {
            kdc.createPrincipal(USER, PASSWORD);
            kdc.createService(SERVICE, keytab);
            out.printf("KDC       Kerby embedded KDC, realm %s, tcp 127.0.0.1:%d%n", REALM, kdc.port());
            out.printf("keytab    %s (%s)%n", keytab, SERVICE);
            try (EchoBackend node1 = EchoBackend.start("node-1");
                    EchoBackend node2 = EchoBackend.start("node-2")) {
                GatewayConfig config = config(keytab, List.of(node1.port(), node2.port()));
                try (Kerbgate gateway = Kerbgate.start(config)) {
                    int port = gateway.frontPort();
                    out.printf("backends  node-1 127.0.0.1:%d, node-2 127.0.0.1:%d%n", node1.port(), node2.port());
                    out.printf("gateway   http://127.0.0.1:%d/  (admin http://127.0.0.1:%d/metrics)%n%n", port,
                            gateway.adminPort());
                    boolean ok = exercise(kdc, port, out);
                    if (keepRunning) {
                        printTryIt(kdc, dir, port, out);
                        new CountDownLatch(1).await();
                    }
                    return ok ? 0 : 1;
                }
            }
        }
    }

    private static boolean exercise(EmbeddedKdc kdc, int port, PrintStream out) throws Exception {
        System.setProperty("java.security.krb5.conf", kdc.kerbyKrb5Conf().toString());
        GssInitiator client = GssInitiator.withPassword(USER + "@" + REALM, PASSWORD.toCharArray());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/");
        boolean ok = true;

        out.println("client    alice@" + REALM + " (JDK GSS initiator), service ticket for " + SERVICE);
        String firstHeader = null;
        for (int i = 1; i <= 4; i++) {
            Negotiation ctx = client.negotiate(SERVICE, GssMech.SPNEGO, true);
            String header = ctx.headerValue();
            firstHeader = firstHeader == null ? header : firstHeader;
            HttpResponse<String> r = http.send(request(uri, header, i == 2 ? "admin@" + REALM : null),
                    HttpResponse.BodyHandlers.ofString());
            String mutual = r.headers().firstValue("WWW-Authenticate").map(h -> {
                try {
                    return ctx.complete(h) ? "mutual auth completed" : "mutual auth NOT completed";
                } catch (Exception e) {
                    return "mutual auth failed: " + e.getMessage();
                }
            }).orElse("no mutual-auth token");
            String seen = r.statusCode() == 200 ? seen(r.body()) : r.body().trim();
            out.printf("  #%d %d %s  [%s]%s%n", i, r.statusCode(), seen, mutual,
                    i == 2 ? "  (request carried a spoofed X-Remote-User: admin@" + REALM + ")" : "");
            ok &= r.statusCode() == 200 && seen.contains("user=alice@" + REALM + " ") && ctx.isEstablished();
        }

        HttpResponse<String> replay = http.send(request(uri, firstHeader, null), HttpResponse.BodyHandlers.ofString());
        out.printf("  replay of token #1  -> %d %s%n", replay.statusCode(),
                replay.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> none = http.send(request(uri, null, null), HttpResponse.BodyHandlers.ofString());
        out.printf("  no Authorization    -> %d %s%n", none.statusCode(),
                none.headers().firstValue("WWW-Authenticate").orElse(""));
        ok &= replay.statusCode() == 401 && none.statusCode() == 401;
        out.println(ok ? "\ndemo OK" : "\ndemo FAILED");
        return ok;
    }

    /** What the backend saw, from its echo: {@code backend=node-1 user=alice@ARRAY.TEST authorization=absent}. */
    private static String seen(String echo) {
        List<String> users = EchoBackend.headerValues(echo, "x-remote-user");
        return "backend=" + String.join(",", EchoBackend.headerValues(echo, "backend")) + " user="
                + (users.isEmpty() ? "(none)" : String.join(",", users)) + " authorization="
                + (EchoBackend.headerValues(echo, "authorization").isEmpty() ? "absent" : "present");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static HttpRequest request(URI uri, String authorization, String spoofedUser) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (spoofedUser != null) {
            b.header("X-Remote-User", spoofedUser);
        }
        return b.build();
    }

    private static void printTryIt(EmbeddedKdc kdc, Path dir, int port, PrintStream out) {
        out.printf("%nLeft running. With MIT krb5 and curl installed, try:%n");
        out.printf("  export KRB5_CONFIG=%s KRB5CCNAME=%s%n", kdc.kerbyKrb5Conf(), dir.resolve("ccache"));
        out.printf("  echo %s | kinit %s@%s%n", PASSWORD, USER, REALM);
        out.printf("  curl --negotiate -u : --resolve %s:%d:127.0.0.1 http://%s:%d/%n", HOST, port, HOST, port);
        out.println("Ctrl-C to stop.");
    }

    private static GatewayConfig config(Path keytab, List<Integer> backendPorts) throws ConfigException {
        // Written as the YAML an operator would write, so the demo goes through the same validation as `run`.
        String yaml = """
                listen: 127.0.0.1:0
                keytab: %s
                principals: [%s]
                backends: [%s]
                admin:
                  listen: 127.0.0.1:0
                acceptor:
                  # The demo's state directory: a restart of the demo keeps its replay cache (no restart guard).
                  replay_cache_file: replay.cache
                """.formatted(keytab, SERVICE, String.join(", ",
                backendPorts.stream().map(p -> "http://127.0.0.1:" + p).toList()));
        return ConfigLoader.parse(yaml, keytab.getParent());
    }
}

package io.kerbgate.proxy;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.access.AccessRules;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.testing.SecretFile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The real proxy with the routes of issue #11 in front of one backend. The authenticator accepts
 * {@code Negotiate <base64 of a principal>} as that principal, so each request picks its client: {@link #BOB} may use
 * the protected routes, {@link #ALICE} may not.
 */
final class RoutedProxy implements AutoCloseable {

    static final String ALICE = "alice@ARRAY.TEST";
    static final String BOB = "bob@ARRAY.TEST";

    static final String ROUTES = """
            routes:
              - {name: static, path: /static/, anonymous: true}
              - {name: admin, path: /admin/, allow: {principals: [bob@ARRAY.TEST]}}
              - {name: secret, path: /secret, allow: {principals: [bob@ARRAY.TEST]}}
              - {name: ctx, path: /ctx/, allow: {principals: [bob@ARRAY.TEST]}}
              - {name: public, path: /, host: public.example.test}
              - {name: payroll, path: /payroll, host: intranet.example.test, allow: {principals: [bob@ARRAY.TEST]}}
            """;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final int port;
    private final ProxyServer proxy;

    private final HttpAuthenticator acceptor = (authorization, peer, bindings) -> {
        String principal = new String(Base64.getDecoder().decode(authorization.substring("Negotiate ".length())),
                StandardCharsets.UTF_8);
        return new Acceptance.Accepted(principal, "HTTP/gw.array.test@ARRAY.TEST", 4, 18, null, false);
    };

    RoutedProxy(URI backend, Path dir) throws Exception {
        SecretFile.write(dir.resolve("http.keytab"), new byte[] {0x05, 0x02});
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: http.keytab
                backends: [%s]
                admin: {listen: 127.0.0.1:0}
                """.formatted(backend) + ROUTES, dir);
        proxy = new ProxyServer(config, acceptor, registry);
        port = proxy.start();
    }

    /** The header line that authenticates as {@code principal}; {@code ""} for {@code null} (anonymous). */
    static String auth(String principal) {
        return principal == null ? "" : "Authorization: Negotiate "
                + Base64.getEncoder().encodeToString(principal.getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    static String get(String target, String principal) {
        return "GET " + target + " HTTP/1.1\r\nHost: gw.test\r\n" + auth(principal) + "\r\n";
    }

    RawHttp.Response send(String request) throws IOException {
        try (RawHttp raw = new RawHttp(port)) {
            return raw.send(request).read();
        }
    }

    /** Counts of {@code kerbgate.access.requests} by route, summed over decisions. */
    Map<String, Double> routeCounts() {
        Map<String, Double> counts = new HashMap<>();
        for (Counter c : registry.find(AccessRules.ACCESS_REQUESTS).counters()) {
            counts.merge(c.getId().getTag("route"), c.count(), Double::sum);
        }
        return counts;
    }

    double authRejected(String reason) {
        Counter c = registry.find(ProxyMetrics.AUTH_REQUESTS).tag("result", "rejected").tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Override
    public void close() {
        proxy.close();
    }
}

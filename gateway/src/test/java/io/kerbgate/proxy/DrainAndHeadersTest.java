package io.kerbgate.proxy;

import static io.kerbgate.proxy.FixedTokenAuthenticator.GOOD;
import static io.kerbgate.proxy.FixedTokenAuthenticator.PRINCIPAL;
import static io.kerbgate.proxy.ProxyHarness.waitFor;
import static io.kerbgate.proxy.RetriesTest.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kerbgate.logging.LogCapture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Graceful drain, the access log, Forwarded/Via, and the unauthenticated benchmark mode. */
final class DrainAndHeadersTest {

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void drain_everyRequestInFlightCompletes_idleConnectionsClose_newOnesAreRefused() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ScriptedBackend b = track(ScriptedBackend.start("b"));
        ProxyHarness proxy = ProxyHarness.builder().backend(a.uri()).backend(b.uri()).drain(Duration.ofSeconds(10))
                .start();
        int inFlight = 20;
        List<RawHttp> clients = new ArrayList<>();
        List<CompletableFuture<RawHttp.Response>> responses = new ArrayList<>();
        try (RawHttp idle = new RawHttp(proxy.port)) {
            assertEquals(200, idle.send(get("/warm")).read().status());
            for (int i = 0; i < inFlight; i++) {
                RawHttp raw = track(new RawHttp(proxy.port));
                clients.add(raw);
                raw.send(get("/slow?ms=" + (600 + 20 * i)));
            }
            waitFor("all in flight", () -> a.hits.get() + b.hits.get() == inFlight + 1);
            for (RawHttp raw : clients) {
                responses.add(PoolAndLimitsTest.async(raw));
            }

            long start = System.nanoTime();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(proxy::close);
            waitFor("draining", proxy.server::draining);
            assertTrue(idle.closedByPeer(), "an idle keep-alive connection is closed at once");
            waitFor("listener closed", () -> refused(proxy.port));

            int ok = 0;
            for (CompletableFuture<RawHttp.Response> response : responses) {
                RawHttp.Response r = response.get(10, TimeUnit.SECONDS);
                assertEquals("close", r.header("Connection"));
                ok += r.status() == 200 ? 1 : 0;
            }
            assertEquals(inFlight, ok, "no request in flight was lost");
            closed.get(10, TimeUnit.SECONDS);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis < 5_000, "drain ended when the last request did, not at the timeout: " + millis);
        }
    }

    @Test
    void drainOfIdleConnections_endsWithoutATimeoutWarning() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = ProxyHarness.builder().backend(a.uri()).drain(Duration.ofSeconds(10)).start();
        try (LogCapture log = LogCapture.everything()) {
            for (int round = 0; round < 5; round++) {
                // Each idle keep-alive connection closes at once; that is a drain that ended, not one that timed out.
                track(new RawHttp(proxy.port)).send(get("/warm")).read();
            }
            proxy.close();

            assertTrue(log.lines().stream().noneMatch(line -> line.startsWith("drain timeout")), log.lines().toString());
        }
    }

    @Test
    void drainTimeout_cutsWhatIsStillRunning() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = ProxyHarness.builder().backend(a.uri()).drain(Duration.ofMillis(300)).start();
        try (RawHttp raw = new RawHttp(proxy.port)) {
            raw.send(get("/slow?ms=5000"));
            waitFor("in flight", () -> a.hits.get() == 1);
            long start = System.nanoTime();
            proxy.close();
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(millis >= 250 && millis < 4_000, millis + " ms");
            assertTrue(raw.closedByPeer());
        }
    }

    @Test
    void accessLog_oneLinePerRequest_withTheFacts() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            ScriptedBackend a = track(ScriptedBackend.start("a"));
            ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).start());
            try (RawHttp raw = new RawHttp(proxy.port)) {
                raw.send("POST /log/\"x\" HTTP/1.1\r\nHost: gw.test\r\nAuthorization: " + GOOD
                        + "\r\nContent-Length: 5\r\n\r\nhello").read();
                raw.send(get("/refused").replace(GOOD, "Negotiate YmFk")).read();
            }
            waitFor("two lines", () -> lines.list.size() >= 2);
            String ok = lines.list.get(0).getFormattedMessage();
            assertTrue(ok.startsWith("client=127.0.0.1:"), ok);
            for (String field : List.of(" principal=" + PRINCIPAL, " method=POST", " path=\"/log/\\\"x\\\"\"",
                    " status=200", " backend=" + a.authority(), " bytes_in=5", " auth=ok", " retries=0")) {
                assertTrue(ok.contains(field), field + " in " + ok);
            }
            assertTrue(ok.matches(".* bytes_out=[1-9][0-9]* .*"), ok);
            assertTrue(ok.matches(".* total_ms=[0-9]+\\.[0-9]{3} upstream_ms=[0-9]+\\.[0-9]{3} .*"), ok);
            String refused = lines.list.get(1).getFormattedMessage();
            for (String field : List.of(" principal=-", " status=401", " backend=-", " auth=integrity",
                    " upstream_ms=-")) {
                assertTrue(refused.contains(field), field + " in " + refused);
            }
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void forwardedAndVia_appendToTheChains() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).start());
        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response r = raw.send("GET /f HTTP/1.1\r\nHost: gw.test:8080\r\nAuthorization: " + GOOD + "\r\n"
                    + "Forwarded: for=192.0.2.60;proto=https\r\nVia: 1.0 fred\r\nX-Forwarded-For: 192.0.2.60\r\n\r\n")
                    .read();
            assertEquals("for=192.0.2.60;proto=https, for=127.0.0.1;proto=http;host=\"gw.test:8080\"",
                    r.echo("forwarded"));
            assertEquals("1.0 fred, 1.1 kerbgate", r.echo("via"));
            assertEquals("192.0.2.60, 127.0.0.1", r.echo("xff"));
            assertEquals("1.1 kerbgate", r.header("Via"));
        }
    }

    @Test
    void authNotRequired_forwardsWithoutIdentity_andStripsClientCredentials() throws Exception {
        ScriptedBackend a = track(ScriptedBackend.start("a"));
        ProxyHarness proxy = track(ProxyHarness.builder().backend(a.uri()).anonymous().start());
        try (RawHttp raw = new RawHttp(proxy.port)) {
            RawHttp.Response r = raw.send("GET /anon HTTP/1.1\r\nHost: gw.test\r\nX-Remote-User: admin\r\n"
                    + "Authorization: Basic YTpi\r\n\r\n").read();
            assertEquals(200, r.status());
            assertEquals("", r.echo("identity"));
            assertEquals("absent", r.echo("authorization"));
            assertEquals("127.0.0.1", r.echo("xff"));
            assertEquals("gw.test", r.echo("xfh"));
            assertNull(r.header("WWW-Authenticate"));
        }
    }

    private static boolean refused(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            return socket.getInputStream().read() == -1;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}

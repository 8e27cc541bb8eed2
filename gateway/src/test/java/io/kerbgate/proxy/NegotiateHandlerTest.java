package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.acceptor.Acceptance;
import io.kerbgate.acceptor.HttpAuthenticator;
import io.kerbgate.acceptor.RejectReason;
import io.kerbgate.proxy.NegotiateHandler.Authenticated;
import io.kerbgate.proxy.NegotiateHandler.Means;
import io.kerbgate.proxy.StagedChannel.Upto;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NegotiateHandler} after the edge and the checks: what it answers, and how it says who passed. */
final class NegotiateHandlerTest {

    private static final Acceptance.Accepted ALICE = new Acceptance.Accepted("alice@ARRAY.TEST",
            "HTTP/array.example.test@ARRAY.TEST", 3, 18, new byte[] {1, 2, 3}, false, List.of());
    private static final HttpAuthenticator ACCEPTS_ALICE = (token, peer, bindings) -> ALICE;

    @TempDir
    Path dir;

    @Test
    void noAuthorization_401WithTheChallenge_nothingPassed() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, "", Upto.NEGOTIATE, ACCEPTS_ALICE, null)) {
            s.channel.writeInbound(StagedChannel.get("/"));

            FullHttpResponse response = s.response();
            assertEquals(401, response.status().code());
            assertEquals("Negotiate", response.headers().get("WWW-Authenticate"));
            response.release();
            assertTrue(s.passed.isEmpty());
            assertTrue(s.channel.isOpen(), "the client answers the challenge on the same connection");
        }
    }

    @Test
    void acceptedToken_passesWithThePrincipal_asToken() throws Exception {
        try (StagedChannel s = new StagedChannel(dir, "", Upto.NEGOTIATE, ACCEPTS_ALICE, null)) {
            s.channel.writeInbound(StagedChannel.get("/", "Authorization", "Negotiate YII="));

            Authenticated passed = assertInstanceOf(Authenticated.class, s.passed.get(0));
            assertEquals(ALICE, passed.principal());
            assertEquals(Means.TOKEN, passed.means());
            assertEquals("ok", s.edge.exchange().auth);
            assertNull(s.response(), "the stage answers nothing itself");
        }
    }

    @Test
    void refusedToken_401() throws Exception {
        HttpAuthenticator refuses = (token, peer, bindings) -> Acceptance.Rejected.of(RejectReason.SKEW, "clock");
        try (StagedChannel s = new StagedChannel(dir, "", Upto.NEGOTIATE, refuses, null)) {
            s.channel.writeInbound(StagedChannel.get("/", "Authorization", "Negotiate YII="));

            FullHttpResponse response = s.response();
            assertEquals(401, response.status().code());
            response.release();
            assertTrue(s.passed.isEmpty());
        }
    }

    @Test
    void anonymousRoute_passesWithoutAnIdentity() throws Exception {
        String routes = "routes:\n  - {name: health, path: /healthz, anonymous: true}\n";
        try (StagedChannel s = new StagedChannel(dir, routes, Upto.NEGOTIATE, ACCEPTS_ALICE, null)) {
            s.channel.writeInbound(StagedChannel.get("/healthz"));

            Authenticated passed = assertInstanceOf(Authenticated.class, s.passed.get(0));
            assertNull(passed.principal());
            assertEquals(Means.ANONYMOUS, passed.means());
        }
    }

    @Test
    void authNotRequired_passesAsOff_theAcceptorIsNeverAsked() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpAuthenticator counting = (token, peer, bindings) -> {
            calls.incrementAndGet();
            return ALICE;
        };
        try (StagedChannel s = new StagedChannel(dir, "auth:\n  required: false\n", Upto.NEGOTIATE, counting, null)) {
            s.channel.writeInbound(StagedChannel.get("/", "Authorization", "Negotiate YII="));

            assertEquals(Means.OFF, assertInstanceOf(Authenticated.class, s.passed.get(0)).means());
            assertEquals(0, calls.get());
        }
    }

    @Test
    void offloaded_theVerdictComesBackOnTheLoop_andOnlyThenPasses() throws Exception {
        Queue<Runnable> acceptorThread = new ArrayDeque<>();
        Executor offload = acceptorThread::add;
        try (StagedChannel s = new StagedChannel(dir, "", Upto.NEGOTIATE, ACCEPTS_ALICE, offload)) {
            s.channel.writeInbound(StagedChannel.get("/", "Authorization", "Negotiate YII="));
            s.channel.runPendingTasks();
            assertTrue(s.passed.isEmpty(), "waiting for the acceptor");
            s.channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
            assertTrue(s.channel.isOpen(), "waiting for the replay cache is not the client's idleness");

            acceptorThread.remove().run();
            s.channel.runPendingTasks();

            assertEquals(ALICE, assertInstanceOf(Authenticated.class, s.passed.get(0)).principal());
        }
    }

    @Test
    void offloaded_clientGoneBeforeTheVerdict_nothingPassed() throws Exception {
        Queue<Runnable> acceptorThread = new ArrayDeque<>();
        try (StagedChannel s = new StagedChannel(dir, "", Upto.NEGOTIATE, ACCEPTS_ALICE, acceptorThread::add)) {
            s.channel.writeInbound(StagedChannel.get("/", "Authorization", "Negotiate YII="));
            s.channel.close();

            acceptorThread.remove().run();
            s.channel.runPendingTasks();

            assertTrue(s.passed.isEmpty());
        }
    }

    @Test
    void offloaded_queueFull_503AtOnce() throws Exception {
        Executor full = task -> {
            throw new java.util.concurrent.RejectedExecutionException("queue full");
        };
        try (StagedChannel s = new StagedChannel(dir, "", Upto.NEGOTIATE, ACCEPTS_ALICE, full)) {
            s.channel.writeInbound(StagedChannel.get("/", "Authorization", "Negotiate YII="));

            FullHttpResponse response = s.response();
            assertEquals(503, response.status().code());
            response.release();
            assertTrue(s.passed.isEmpty());
        }
    }
}

package io.kerbgate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Differential framing test: a seeded corpus of request sequences, well and badly framed, pipelined and cut at random
 * byte boundaries, through the real proxy to {@link RecordingBackend}, whose parser ({@link StrictRequestParser}) shares
 * no code with Netty. Whatever kerbgate accepted (answered 200) reached the backend exactly once, whole, with the
 * method, target and body the client sent, in the client's order, and nothing else did: no other complete request, no
 * malformed bytes, no bytes left over on a connection still open. Whatever it refused got a 4xx and the connection
 * closed; never a 5xx, a hang or a leaked buffer.
 *
 * <p>{@code -Dframing.seed=N} replays a run (the seed is printed); {@code -Dframing.sequences=N} sets its size
 * (default 100,000). Leaks: every buffer is tracked for the first {@code -Dframing.paranoid=N} sequences (default
 * 10,000; paranoid costs six times the run's time), one in 128 after; any leak report fails the test.
 */
final class FramingDifferentialTest {

    private static final int MAX_HEADER = 96 * 1024;
    private static final int MAX_LINE = FrontendInitializer.MAX_INITIAL_LINE;
    private static final Set<Integer> REFUSALS = Set.of(400, 413, 417, 431, 501, 505);
    private static final int CLIENTS = 8;

    /** What the proxy must answer. */
    enum Verdict { ACCEPT, REFUSE, EITHER }

    /** One request as the client sends it, and what it must become. */
    record Sequence(String target, String method, byte[] bytes, byte[] body, Verdict verdict, boolean head,
                    boolean closes, String shape) {}

    private final long seed = Long.getLong("framing.seed", System.nanoTime());
    private final int sequences = Integer.getInteger("framing.sequences", 100_000);
    /** Sequences run with every buffer tracked (the test JVM's paranoid leak detection) before sampling. */
    private final int paranoid = Integer.getInteger("framing.paranoid", 10_000);

    /** target -> what the backend must see, for every accepted sequence. */
    private final Map<String, Sequence> accepted = new ConcurrentHashMap<>();
    /** target -> backend arrival number; more than one arrival is recorded as a failure. */
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final Set<String> notAccepted = ConcurrentHashMap.newKeySet();
    /** Method and body (headers dropped) of every request the backend parsed. */
    private final Map<String, StrictRequestParser.Request> bodies = new ConcurrentHashMap<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong arrival = new AtomicLong();
    private final AtomicInteger leaks = new AtomicInteger();

    @Test
    void corpus_backendSeesExactlyTheAcceptedRequests() throws Exception {
        System.out.println("FramingDifferentialTest: -Dframing.seed=" + seed + " -Dframing.sequences=" + sequences
                + " -Dframing.paranoid=" + paranoid);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        Logger leakLog = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        AppenderBase<ILoggingEvent> leakCounter = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                    leaks.incrementAndGet();
                    failures.add("leak: " + event.getFormattedMessage().lines().findFirst().orElse(""));
                }
            }
        };
        leakCounter.start();
        leakLog.addAppender(leakCounter);
        // 100,000 requests at DEBUG would spend the run writing logs.
        root.setLevel(Level.WARN);
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        try (RecordingBackend backend = RecordingBackend.start()) {
            backend.keepRequests = false;
            backend.listener = this::arrived;
            try (ProxyHarness proxy = ProxyHarness.builder().backend(backend.uri()).anonymous().retries(0)
                    .settings(new ProxySettings(2, 512, Duration.ofSeconds(30))).start()) {
                long start = System.nanoTime();
                int done = run(proxy.port);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.printf("FramingDifferentialTest: %d sequences, %d accepted, %d not, in %d ms (seed %d)%n",
                        done, accepted.size(), notAccepted.size(), millis, seed);
                assertTrue(done >= sequences, "ran " + done);
                ProxyHarness.waitFor("backend connections of cut requests closed", () -> backend.connections.stream()
                        .allMatch(c -> c.closed || c.pending() == 0));
            }
            checkBackend(backend);
            System.gc();
            // A leak is reported when a later allocation finds a collected buffer that was never released.
            for (int i = 0; i < 1000; i++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(16);
                probe.release();
            }
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
            root.setLevel(before);
            leakLog.detachAppender(leakCounter);
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + seed + "), first: "
                + failures.stream().limit(10).toList());
        assertEquals(0, leaks.get());
    }

    private int run(int port) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger connections = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            futures.add(clients.submit(() -> {
                while (sent.get() < sequences && failures.size() < 50) {
                    if (sent.get() >= paranoid && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID) {
                        // Every buffer of the first sequences is tracked; then one in 128, six times faster.
                        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
                    }
                    int id = connections.incrementAndGet();
                    Random random = new Random(seed * 31 + id);
                    List<Sequence> batch = new FramingCorpus(random, id).connection();
                    try {
                        exchange(port, random, batch);
                    } catch (IOException | RuntimeException e) {
                        failures.add("connection " + id + " " + shapes(batch) + ": " + e);
                    }
                    sent.addAndGet(batch.size());
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.MINUTES);
        }
        clients.shutdown();
        return sent.get();
    }

    private static String name(Sequence s) {
        String target = s.target().length() > 40 ? s.target().substring(0, 40) + "..." : s.target();
        return s.shape() + " " + target;
    }

    private static List<String> shapes(List<Sequence> batch) {
        return batch.stream().map(Sequence::shape).toList();
    }

    /**
     * Sends a connection's sequences: all but the last pipelined in writes cut at random boundaries; the last one, if
     * it ends the connection early, only once the others are answered.
     */
    private void exchange(int port, Random random, List<Sequence> batch) throws IOException {
        Sequence last = batch.get(batch.size() - 1);
        boolean cut = last.shape().startsWith("cut");
        List<Sequence> pipelined = cut ? batch.subList(0, batch.size() - 1) : batch;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            pipelined.forEach(s -> all.writeBytes(s.bytes()));
            write(out, random, all.toByteArray());
            boolean open = true;
            for (int i = 0; i < pipelined.size(); i++) {
                Sequence s = pipelined.get(i);
                Response response = open ? Response.read(in, s.head()) : null;
                open = judge(s, response) && open;
                if (!open) {
                    for (int j = i + 1; j < pipelined.size(); j++) {
                        notAccepted.add(pipelined.get(j).target());
                    }
                    break;
                }
            }
            if (cut && open) {
                write(out, random, last.bytes());
                socket.shutdownOutput();
                notAccepted.add(last.target());
                Response response = Response.read(in, false);
                if (response != null && !REFUSALS.contains(response.status)) {
                    failures.add(name(last) + ": cut request answered " + response.status);
                }
            } else if (cut) {
                notAccepted.add(last.target());
            }
        }
    }

    private static void write(OutputStream out, Random random, byte[] bytes) throws IOException {
        int at = 0;
        while (at < bytes.length) {
            int n = random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(Math.max(1, bytes.length));
            n = Math.min(n, bytes.length - at);
            out.write(bytes, at, n);
            out.flush();
            at += n;
        }
    }

    /** Checks one response against its sequence; false when the connection is over. */
    private boolean judge(Sequence s, Response response) {
        if (response == null) {
            failures.add(name(s) + ": no response");
            notAccepted.add(s.target());
            return false;
        }
        if (response.status == 200) {
            if (s.verdict() == Verdict.REFUSE) {
                failures.add(name(s) + ": accepted, must be refused");
            }
            if (!s.target().equals(response.header("X-Target"))) {
                failures.add(name(s) + ": got the response of " + response.header("X-Target"));
            }
            accepted.put(s.target(), s);
            return !s.closes() && !"close".equalsIgnoreCase(response.header("Connection"));
        }
        notAccepted.add(s.target());
        if (!REFUSALS.contains(response.status)) {
            failures.add(name(s) + ": status " + response.status);
        } else if (!"close".equalsIgnoreCase(response.header("Connection"))) {
            failures.add(name(s) + ": refused " + response.status + " without a close");
        } else if (s.verdict() == Verdict.ACCEPT) {
            failures.add(name(s) + ": refused " + response.status + ", must be accepted");
        }
        return false;
    }

    /** On the backend's thread, as each request is parsed. */
    private void arrived(RecordingBackend.Connection connection, StrictRequestParser.Request request) {
        Long previous = arrivals.putIfAbsent(request.target(), arrival.incrementAndGet());
        if (previous != null) {
            failures.add(request.target() + ": reached the backend twice");
        }
        bodies.put(request.target(), new StrictRequestParser.Request(request.method(), request.target(), List.of(),
                request.body()));
    }

    private void checkBackend(RecordingBackend backend) {
        for (RecordingBackend.Connection c : backend.connections) {
            if (c.malformed != null) {
                failures.add("backend connection " + c.id + " malformed: " + c.malformed);
            }
            if (c.pending() > 0) {
                String start = new String(c.pendingBytes(), 0, Math.min(c.pending(), 200), StandardCharsets.ISO_8859_1);
                String[] line = start.split(" ", 3);
                if (line.length < 2 || !notAccepted.contains(line[1])) {
                    failures.add("backend connection " + c.id + " left with bytes of no refused or cut request: "
                            + StrictRequestParser.printable(start));
                }
            }
        }
        for (Map.Entry<String, Long> a : arrivals.entrySet()) {
            if (!accepted.containsKey(a.getKey())) {
                failures.add(a.getKey() + ": reached the backend but was not accepted");
            }
        }
        Map<Integer, Long> lastArrival = new ConcurrentHashMap<>();
        accepted.values().stream().sorted((x, y) -> compareTargets(x.target(), y.target())).forEach(s -> {
            Long at = arrivals.get(s.target());
            if (at == null) {
                failures.add(name(s) + ": accepted, never reached the backend");
                return;
            }
            int connection = Integer.parseInt(s.target().split("[/?]")[2]);
            Long before = lastArrival.put(connection, at);
            if (before != null && before > at) {
                failures.add(s.target() + ": reached the backend before an earlier request of its connection");
            }
        });
        for (Map.Entry<String, StrictRequestParser.Request> seen : bodies.entrySet()) {
            Sequence s = accepted.get(seen.getKey());
            if (s == null) {
                continue;
            }
            StrictRequestParser.Request r = seen.getValue();
            if (!r.method().equals(s.method()) || !Arrays.equals(r.body(), s.body())) {
                failures.add(name(s) + ": backend saw " + r.method() + " with "
                        + r.body().length + " body bytes, client sent " + s.method() + " with " + s.body().length);
            }
        }
    }

    /** Targets are {@code /f/<connection>/<index>[?query]}. */
    private static int compareTargets(String a, String b) {
        String[] x = a.split("[/?]");
        String[] y = b.split("[/?]");
        int c = Integer.compare(Integer.parseInt(x[2]), Integer.parseInt(y[2]));
        return c != 0 ? c : Integer.compare(Integer.parseInt(x[3]), Integer.parseInt(y[3]));
    }

    /** A response as the client reads it; 1xx interim responses skipped. */
    private record Response(int status, List<Map.Entry<String, String>> headers) {
        String header(String name) {
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return h.getValue();
                }
            }
            return null;
        }

        /** Null at the end of the stream before a status line. */
        static Response read(InputStream in, boolean head) throws IOException {
            while (true) {
                String status;
                try {
                    status = line(in);
                } catch (SocketException e) {
                    return null;
                }
                if (status == null) {
                    return null;
                }
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                String line;
                while (!(line = Objects.requireNonNull(line(in), "headers cut")).isEmpty()) {
                    int colon = line.indexOf(':');
                    headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
                }
                Response r = new Response(Integer.parseInt(status.split(" ")[1]), headers);
                if (r.status >= 100 && r.status < 200) {
                    continue;
                }
                String length = r.header("Content-Length");
                if (!head && length != null) {
                    int n = Integer.parseInt(length);
                    if (in.readNBytes(n).length != n) {
                        throw new EOFException("body cut");
                    }
                } else if (!head && r.header("Transfer-Encoding") != null) {
                    String size;
                    while (!(size = Objects.requireNonNull(line(in), "chunk cut")).equals("0")) {
                        in.readNBytes(Integer.parseInt(size, 16) + 2);
                    }
                    line(in);
                }
                return r;
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    int end = b.length() > 0 && b.charAt(b.length() - 1) == '\r' ? b.length() - 1 : b.length();
                    return b.substring(0, end);
                }
                b.append((char) c);
            }
            return b.length() == 0 ? null : b.toString();
        }
    }
}

package io.kerbgate.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kerbgate.Kerbgate;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.demo.EchoBackend;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code Authorization} values through the whole gateway on a real socket, with every logger of the process
 * (kerbgate's, the access log, Netty's) captured down to TRACE: no secret a client sent may appear in any message,
 * key-value pair or exception of any line. Each value carries a marker that must never be logged.
 */
final class SecretsNeverLoggedTest {

    private static final String PRINCIPAL = "HTTP/array.example.test@ARRAY.TEST";

    @TempDir
    static Path dir;

    private static EchoBackend backend;
    private static Kerbgate gateway;

    @BeforeAll
    static void start() throws Exception {
        backend = EchoBackend.start("node-1");
        Path keytab = dir.resolve("http.keytab");
        KeytabFile.writeAtomically(keytab, List.of(new KeytabEntry(PRINCIPAL, 1, 1_795_000_000L, 1, 18,
                new byte[32])));
        gateway = Kerbgate.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                keytab: %s
                backends: [http://127.0.0.1:%d]
                admin:
                  listen: 127.0.0.1:0
                limits:
                  max_header_size: 8192
                """.formatted(keytab, backend.port()), dir));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** One request with these raw header lines; returns the status line. */
    private static String send(String... headerLines) throws IOException {
        try (Socket s = new Socket("127.0.0.1", gateway.frontPort())) {
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("GET /secret-test HTTP/1.1\r\nHost: array.example.test\r\n");
            for (String line : headerLines) {
                req.append(line).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is enough
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            return text.isEmpty() ? "(closed)" : text.substring(0, Math.max(0, text.indexOf("\r\n")));
        }
    }

    @Test
    void noAuthorizationValue_reachesAnyLog_atAnyLevel() throws Exception {
        // Each case: the header lines sent, and the secrets among them.
        List<String[]> cases = List.of(
                new String[] {"Authorization: hunter2-Pa55word!", "hunter2", "Pa55word"},
                new String[] {"Authorization: hunter2 Pa55word-two", "hunter2", "Pa55word-two"},
                new String[] {"Authorization: Basic " + b64("alice:S3cr3t-basic-pw"), b64("alice:S3cr3t-basic-pw"),
                    "S3cr3t-basic-pw"},
                new String[] {"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWJlYXJlcg.SecretBearerSig",
                    "SecretBearerSig", "eyJhbGciOiJIUzI1NiJ9"},
                new String[] {"Authorization: Negotiate " + b64("NegotiateGarbageSecret-0123456789"),
                    b64("NegotiateGarbageSecret-0123456789"), "NegotiateGarbageSecret"},
                new String[] {"Authorization: Negotiate SecretNotBase64!!", "SecretNotBase64"},
                new String[] {"Authorization: NTLM " + b64("NTLMSSP\0\1\0\0\0NtlmSecretDomain"),
                    b64("NTLMSSP\0\1\0\0\0NtlmSecretDomain")},
                new String[] {"Authorization: Negotiate " + b64("NTLMSSP\0\3\0\0\0NtlmInNegotiateSecret"),
                    b64("NTLMSSP\0\3\0\0\0NtlmInNegotiateSecret")},
                new String[] {"Authorization: Digest username=\"alice\", response=\"d1g3stS3cretResp\"",
                    "d1g3stS3cretResp"},
                new String[] {"Authorization: Basic ZHVwU2VjcmV0MQ==", "Authorization: dupSecret2x",
                    "ZHVwU2VjcmV0MQ==", "dupSecret2x"},
                new String[] {"Authorization: Basic CtrlSecret\u0001Tail", "CtrlSecret"},
                new String[] {"Authorization: Negotiate LongSecret" + "A".repeat(12000), "LongSecret"},
                new String[] {"Authorization: TokenSecretNoScheme0123456789abcdefghijklmnopqrstuvwxyz",
                    "TokenSecretNoScheme"},
                new String[] {"Proxy-Authorization: Basic " + b64("proxy:Pr0xyS3cret"), b64("proxy:Pr0xyS3cret")});
        List<String> statuses = new ArrayList<>();
        List<String> written;
        try (LogCapture logs = LogCapture.everything()) {
            for (String[] c : cases) {
                List<String> lines = new ArrayList<>();
                for (String s : c) {
                    if (s.contains(": ")) {
                        lines.add(s);
                    }
                }
                statuses.add(send(lines.toArray(String[]::new)));
            }
            written = logs.everythingWritten();
        }
        // Every case got a 4xx from the gateway (none reached the backend, none was a 5xx).
        for (String status : statuses) {
            assertTrue(status.matches("HTTP/1\\.1 4\\d\\d .*"), statuses.toString());
        }
        assertEquals(0, backend.hits());
        assertFalse(written.isEmpty(), "the capture saw the refusals");
        assertTrue(written.stream().anyMatch(l -> l.contains("reason=other_scheme")), written::toString);
        for (String[] c : cases) {
            for (String s : c) {
                if (s.contains(": ")) {
                    continue;
                }
                for (String line : written) {
                    assertFalse(line.contains(s), "secret " + s + " logged: " + line);
                }
            }
        }
    }
}

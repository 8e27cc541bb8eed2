package io.kerbgate.rollover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kerbgate.keys.KeysReport;
import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.testing.MitKdc;
import io.kerbgate.testing.NetNamespaces;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.RunningProcess;
import io.kerbgate.testing.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12, the whole story on separate hosts: Linux network namespaces on a bridge of their own, one for the KDC
 * (where the operator runs {@code kerbgate keys}, with {@code kadmin: local}), one per gateway node, one for the
 * clients. Each node has its own configuration and state directory, nothing else writes them, and it gets its keys
 * only over the bridge, through its admin API over TLS with the tool's client certificate. The test runs the commands
 * of the README's rollover guide, in its order:
 *
 * <ol>
 *   <li>node1 and node2 start without keys: 503, not ready;</li>
 *   <li>{@code keys init} works on the first try; the nodes become ready; the load starts (real MIT clients,
 *       {@code kinit} + {@code curl --negotiate}, a fresh login every ten requests, round-robin over the nodes);</li>
 *   <li>a client takes a ticket before the rolls (kvno 1, checked with {@code kvno});</li>
 *   <li>{@code keys roll}; node1 killed (SIGKILL) and restarted: it still accepts the kvno 1 ticket;</li>
 *   <li>{@code keys roll} again; node3, started before keys, joins with {@code keys add-node node3};</li>
 *   <li>the kvno 1 ticket works on node1, node2 and node3 (add-node sent node3 the tool's archived kvnos still in
 *   grace, 1 and 2, with the current 3);</li>
 *   <li>the load ends: not one failed request;</li>
 *   <li>node2 stopped, {@code keys roll} fails and the KDC's kvno is unchanged; node2 started again, the same
 *       command finishes the run with the same key.</li>
 * </ol>
 *
 * A packet capture of the bridge during every key operation must not contain any key's bytes, raw, hex or base64,
 * checked against the keys exported from the KDC ({@code ktadd -norandkey}) after each operation.
 */
final class MultiHostArrayTest {

    private static final String REALM = "ARRAY.TEST";
    private static final String SPN = "HTTP/array.example.test@" + REALM;
    private static final String ALICE = "alice@" + REALM;
    private static final String CHECK = "rollcheck@" + REALM;
    /** The tool's kadmin identity: kadmin over the bridge to kadmind, never kadmin.local on the KDC. */
    private static final String KEYADMIN = "kerbgate/admin@" + REALM;
    private static final String WRITER_CERT = "kerbgate-keys";
    private static final int FRONT_PORT = 8080;
    private static final int ADMIN_PORT = 9090;
    private static final int BACKEND_PORT = 8000;
    private static final Pattern TICKET_KVNO = Pattern.compile(": kvno = (\\d+)");
    private static final Pattern STATUS = Pattern.compile("round (\\d+) ok (\\d+) failed (\\d+)");

    @TempDir
    Path dir;

    private NetNamespaces net;
    private Path krb5Conf;
    private Map<String, String> kdcEnv;
    private TestCertificates.Ca ca;
    private final Map<String, Process> gateways = new LinkedHashMap<>();
    private final List<RunningProcess> servers = new ArrayList<>();
    private final Map<String, Path> captures = new LinkedHashMap<>();
    private final List<String> timings = new ArrayList<>();

    @Test
    @Timeout(value = 280, unit = TimeUnit.SECONDS)
    void initTwoRollsAndAddNode_onSeparateHosts_underLoad_noRequestFails_noKeyOnTheWire_aRollWithANodeDownCommitsNothing()
            throws Exception {
        assumeTrue(MitKdc.isAvailable(), MitKdc.NOT_INSTALLED);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tcpdump")) && Files.isExecutable(Path.of("/usr/bin/curl")),
                "tcpdump and curl: run .ci/install-test-deps");
        assumeTrue(NetNamespaces.available(), NetNamespaces.NOT_AVAILABLE);
        long started = System.nanoTime();
        try (NetNamespaces n = NetNamespaces.create("kdc", "tool", "node1", "node2", "node3", "client")) {
            net = n;
            startKdc();
            // The operator's host: the array file, the tool's client certificate, its kadmin identity, the check keytab.
            Path tool = Files.createDirectories(dir.resolve("tool/etc-kerbgate"));
            ca = TestCertificates.ca(Files.createDirectories(dir.resolve("pki")), "Multi Host Array CA");
            TestCertificates.Pair client = ca.issueClient(WRITER_CERT, 100);
            kadmin("ktadd -norandkey -k " + tool.resolve("rollcheck.keytab") + " " + CHECK);
            kadmin("addprinc -randkey " + KEYADMIN);
            kadmin("ktadd -k " + tool.resolve("admin.keytab") + " " + KEYADMIN);

            // First setup, step 1 and 2: the nodes, with their own config and state directory, start without keys.
            for (String node : List.of("node1", "node2", "node3")) {
                prepareNode(node);
            }
            startGateway("node1");
            startGateway("node2");
            for (String node : List.of("node1", "node2")) {
                String readyz = awaitAdmin(node, "/readyz", 503);
                assertTrue(readyz.contains("no keys yet"), node + ": " + readyz);
                assertEquals(503, frontStatus(node), node + "'s front answers 503 before any key");
            }

            // Step 3 to 5: the array file names the nodes by their https admin URL; keys init, first try.
            Path array = tool.resolve("array.yaml");
            writeArrayFile(array, client, List.of("node1", "node2"));
            mark("setup", started);
            Cli init = captured("init", () -> keys("init", "--array", array.toString()));
            assertEquals(0, init.exit(), init.output());
            assertEquals(1, kdcKvno());
            for (String node : List.of("node1", "node2")) {
                awaitAdmin(node, "/readyz", 200);
            }

            // The load: the client host, round-robin over the nodes in the balancer.
            Path load = Files.createDirectories(dir.resolve("client"));
            kadmin("ktadd -norandkey -k " + load.resolve("alice.keytab") + " " + ALICE);
            balancer("node1", "node2");
            RunningProcess loadRun = startLoad(load);
            awaitRounds(3);

            // A client's ticket from before the rolls.
            Path preRoll = load.resolve("preroll.cc");
            onHost("client", Map.of("KRB5CCNAME", "FILE:" + preRoll), "/usr/bin/kinit", "-k", "-t",
                    load.resolve("alice.keytab").toString(), ALICE).run();
            String kvnoOut = onHost("client", Map.of("KRB5CCNAME", "FILE:" + preRoll), "/usr/bin/kvno", SPN).run()
                    .stdout();
            Matcher m = TICKET_KVNO.matcher(kvnoOut);
            assertTrue(m.find() && m.group(1).equals("1"), kvnoOut);

            Cli roll1 = captured("roll-1", () -> keys("roll", "--array", array.toString()));
            assertEquals(0, roll1.exit(), roll1.output());
            assertEquals(2, kdcKvno());
            awaitRounds(2);

            // node1 killed and restarted after the roll (out of the balancer meanwhile): it still accepts kvno 1.
            balancer("node2");
            awaitRounds(2);
            Process killed = gateways.remove("node1");
            killed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            startGateway("node1");
            awaitAdmin("node1", "/readyz", 200);
            assertPreRollTicketAccepted("node1", preRoll);
            balancer("node1", "node2");
            awaitRounds(2);

            Cli roll2 = captured("roll-2", () -> keys("roll", "--array", array.toString()));
            assertEquals(0, roll2.exit(), roll2.output());
            assertEquals(3, kdcKvno());
            awaitRounds(2);

            // Adding a node: it starts first (503), joins the array file, then add-node.
            startGateway("node3");
            assertTrue(awaitAdmin("node3", "/readyz", 503).contains("no keys yet"));
            writeArrayFile(array, client, List.of("node1", "node2", "node3"));
            Cli add = captured("add-node", () -> keys("add-node", "node3", "--array", array.toString()));
            assertEquals(0, add.exit(), add.output());
            assertEquals(3, kdcKvno(), "add-node changes nothing on the KDC");
            awaitAdmin("node3", "/readyz", 200);
            balancer("node1", "node2", "node3");
            awaitRounds(3);

            Cli status = keys("status", "--array", array.toString());
            assertEquals(0, status.exit(), status.output());
            assertTrue(status.output().matches("(?s).*status +kdc +ok +kvno 3 .*"), status.output());

            // node3 joined with the current key and the older kvnos still in grace, from the tool's key archive
            // (an admin API never gives keys out, and the KDC keeps only its current kvno): the ticket of before the
            // rolls works on every node, the added one included.
            assertTrue(add.output().contains("kvno 1,2,3 from the key archive"), add.output());
            // What add-node sent is what the KDC exported, so the capture of add-node was checked for every key sent.
            Path archive = tool.resolve("array.yaml.keys.keytab");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(archive)), "the key archive is a secret");
            assertEquals(keyIds(exportedKeys()), keyIds(KeytabFile.parse(Files.readAllBytes(archive)).stream()
                    .filter(e -> e.principal().equals(SPN)).toList()), "the archive holds the KDC's kvno 1, 2, 3");
            for (String node : List.of("node1", "node2", "node3")) {
                assertPreRollTicketAccepted(node, preRoll);
            }

            // The load ends: not one failed request.
            long[] counts = stopLoad(load, loadRun);
            String failures = Files.exists(load.resolve("failures")) ? Files.readString(load.resolve("failures")) : "";
            System.out.println("MultiHostArrayTest: load " + counts[1] + " ok, " + counts[2] + " failed in "
                    + counts[0] + " rounds");
            assertEquals(0, counts[2], "failed requests:\n" + failures);
            assertTrue(counts[1] > 100, "requests ok: " + counts[1]);

            // A roll with a node down commits nothing.
            Process stopped = gateways.remove("node2");
            stopped.destroy();
            stopped.waitFor(15, TimeUnit.SECONDS);
            Cli downRoll = captured("roll-node2-down", () -> keys("roll", "--array", array.toString()));
            assertEquals(1, downRoll.exit(), downRoll.output());
            assertTrue(downRoll.output().contains("node2"), downRoll.output());
            assertEquals(3, kdcKvno(), "the KDC still issues kvno 3: nothing was committed\n" + downRoll.output());

            // No capture holds any key the KDC ever had for the principal, nor the uncommitted kvno 4 that the failed
            // roll sent to node1 and node3 (it waits in the tool's pending keytab for the rerun).
            List<KeytabEntry> keys = new ArrayList<>(exportedKeys());
            assertEquals(List.of(1, 2, 3), keys.stream().map(KeytabEntry::kvno).distinct().sorted().toList());
            Path pending = tool.resolve("array.yaml.pending.keytab");
            List<KeytabEntry> uncommitted = KeytabFile.parse(Files.readAllBytes(pending)).stream()
                    .filter(e -> e.principal().equals(SPN)).toList();
            assertEquals(List.of(4), uncommitted.stream().map(KeytabEntry::kvno).distinct().toList());

            // Repair what the failed line names (start node2) and run the same command again: the rerun finishes the
            // run with the same key, committed once.
            startGateway("node2");
            awaitAdmin("node2", "/readyz", 200);
            Cli rerun = captured("roll-rerun", () -> keys("roll", "--array", array.toString()));
            assertEquals(0, rerun.exit(), rerun.output());
            assertEquals(4, kdcKvno());
            assertEquals(keyIds(uncommitted), keyIds(exportedKeys().stream().filter(e -> e.kvno() == 4).toList()),
                    "the KDC has the very key the failed run had sent");
            for (String node : List.of("node1", "node2", "node3")) {
                assertTrue(keysOf(node).version(SPN, 4).isPresent(), node + " holds kvno 4");
            }
            keys = new ArrayList<>(exportedKeys());
            assertEquals(List.of(1, 2, 3, 4), keys.stream().map(KeytabEntry::kvno).distinct().sorted().toList());
            for (Map.Entry<String, Path> c : captures.entrySet()) {
                assertNoKeyIn(c.getKey(), c.getValue(), keys);
            }
            mark("total", started);
            System.out.println("MultiHostArrayTest: " + timings);
        } finally {
            for (Process p : gateways.values()) {
                p.destroyForcibly();
            }
            for (RunningProcess p : servers) {
                p.close();
            }
        }
    }

    // ---- the KDC host ----

    private void startKdc() throws Exception {
        Path kdcDir = Files.createDirectories(dir.resolve("kdc"));
        String ip = net.address("kdc");
        String listen = ip + ":88";
        Files.writeString(kdcDir.resolve("kdc.conf"), String.join("\n",
                "[kdcdefaults]",
                "  kdc_listen = " + listen,
                "  kdc_tcp_listen = " + listen,
                "[realms]",
                "  " + REALM + " = {",
                "    database_name = " + kdcDir.resolve("principal"),
                "    key_stash_file = " + kdcDir.resolve("stash"),
                "    acl_file = " + kdcDir.resolve("kadm5.acl"),
                "    kdc_listen = " + listen,
                "    kdc_tcp_listen = " + listen,
                "    kadmind_listen = " + ip + ":749",
                "    kpasswd_listen = " + ip + ":464",
                "    master_key_type = aes256-cts-hmac-sha1-96",
                "    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal",
                "  }",
                "[logging]",
                "  kdc = FILE:" + kdcDir.resolve("kdc.log"),
                "  admin_server = FILE:" + kdcDir.resolve("kadmin.log"),
                "  default = FILE:" + kdcDir.resolve("krb5.log"),
                ""));
        // One krb5.conf for every host: the KDC by its address on the bridge, no DNS anywhere.
        krb5Conf = Files.writeString(dir.resolve("krb5.conf"), String.join("\n",
                "[libdefaults]",
                "  default_realm = " + REALM,
                "  dns_lookup_kdc = false",
                "  dns_lookup_realm = false",
                "  dns_canonicalize_hostname = false",
                "  rdns = false",
                "  udp_preference_limit = 1",
                "  kdc_timeout = 5000",
                "  max_retries = 1",
                "  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96",
                "  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96",
                "  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96",
                "[realms]",
                "  " + REALM + " = {",
                "    kdc = " + listen,
                "  }",
                "[domain_realm]",
                "  .example.test = " + REALM,
                "  example.test = " + REALM,
                ""));
        kdcEnv = Map.of("KRB5_CONFIG", krb5Conf.toString(), "KRB5_KDC_PROFILE", kdcDir.resolve("kdc.conf").toString());
        // What the rollover needs of kadmin: add, change password, inquire, list, and extract (add-node's ktadd -norandkey).
        Files.writeString(kdcDir.resolve("kadm5.acl"), KEYADMIN + " acile\n");
        Processes.command("/usr/sbin/kdb5_util", "create", "-s", "-r", REALM, "-P", "master-password")
                .env(kdcEnv).timeout(Duration.ofSeconds(30)).run();
        servers.add(Processes.command(net.exec("kdc", "/usr/sbin/krb5kdc", "-n", "-r", REALM)).env(kdcEnv).start());
        servers.add(Processes.command(net.exec("kdc", "/usr/sbin/kadmind", "-nofork", "-r", REALM)).env(kdcEnv).start());
        kadmin("addprinc -pw alice-pw " + ALICE);
        kadmin("addprinc -randkey " + CHECK);
        await("krb5kdc to listen on " + listen, Duration.ofSeconds(15), () -> {
            Path log = kdcDir.resolve("kdc.log");
            return Files.exists(log) && Files.readString(log).contains("commencing operation");
        });
        await("kadmind to listen on " + ip + ":749", Duration.ofSeconds(15), () -> {
            Path log = kdcDir.resolve("kadmin.log");
            return Files.exists(log) && Files.readString(log).contains("starting");
        }, () -> readQuietly(kdcDir.resolve("kadmin.log")));
    }

    private String kadmin(String query) {
        return Processes.command("/usr/sbin/kadmin.local", "-r", REALM, "-q", query).env(kdcEnv)
                .timeout(Duration.ofSeconds(30)).run().stdout();
    }

    private int kdcKvno() {
        Matcher m = Pattern.compile("Key: vno (\\d+),").matcher(kadmin("getprinc " + SPN));
        assertTrue(m.find(), "no kvno for " + SPN);
        return Integer.parseInt(m.group(1));
    }

    /** Every key the KDC has for the principal, appended to one keytab after each operation. */
    private List<KeytabEntry> exportedKeys() throws Exception {
        Path export = dir.resolve("kdc/exported.keytab");
        kadmin("ktadd -norandkey -k " + export + " " + SPN);
        return KeytabFile.parse(Files.readAllBytes(export)).stream().filter(e -> e.principal().equals(SPN)).toList();
    }

    /** kvno, enctype and key bytes, without the timestamp a keytab entry also carries. */
    private static java.util.Set<String> keyIds(List<KeytabEntry> entries) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (KeytabEntry e : entries) {
            out.add(e.kvno() + "/" + e.enctype() + "/" + HexFormat.of().formatHex(e.key()));
        }
        return out;
    }

    // ---- the nodes ----

    private void prepareNode(String node) throws IOException {
        Path home = Files.createDirectories(dir.resolve(node));
        String ip = net.address(node);
        TestCertificates.Pair admin = ca.issue(node + "-admin", 10 + node.charAt(4), "DNS:" + node + ".array.test",
                "IP:" + ip);
        Files.createDirectories(home.resolve("www"));
        Files.writeString(home.resolve("www/index.html"), "hello from the backend of " + node + "\n");
        Files.writeString(home.resolve("kerbgate.yaml"), "listen: " + ip + ":" + FRONT_PORT + "\n"
                + "backends: [http://127.0.0.1:" + BACKEND_PORT + "]\n"
                + "keys:\n  state_dir: " + home.resolve("state") + "\n  grace: 60s\n  poll_interval: 200ms\n"
                + "admin:\n  listen: " + ip + ":" + ADMIN_PORT + "\n"
                + "  tls: {cert: " + admin.cert() + ", key: " + admin.key() + ", client_ca: " + ca.pair().cert() + "}\n"
                + "  key_writer_certificates: [\"CN=" + WRITER_CERT + "\"]\n"
                + "acceptor:\n  replay_cache_file: " + home.resolve("replay.cache") + "\n");
        Files.writeString(home.resolve("logback.xml"), LOGBACK);
        // The backend, on the node's own loopback.
        servers.add(Processes.command(net.exec(node, "/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
                "--directory", home.resolve("www").toString(), Integer.toString(BACKEND_PORT))).start());
    }

    private void startGateway(String node) throws IOException {
        Path home = dir.resolve(node);
        Process p = new ProcessBuilder(net.exec(node, java(), "-XX:TieredStopAtLevel=1", "-Xmx128m",
                "-Dlogback.configurationFile=" + home.resolve("logback.xml"),
                "-cp", System.getProperty("java.class.path"), "io.kerbgate.cli.KerbgateCommand", "run",
                "--config", home.resolve("kerbgate.yaml").toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("gateway.log").toFile())).start();
        gateways.put(node, p);
    }

    /** GET on the node's admin API over TLS from the tool's host, until it answers {@code status}. */
    private String awaitAdmin(String node, String path, int status) throws Exception {
        String[] last = {"(no answer)"};
        await(node + " " + path + " to answer " + status, Duration.ofSeconds(60), () -> {
            Process p = gateways.get(node);
            if (p != null && !p.isAlive()) {
                fail(node + " exited with " + p.exitValue() + ":\n" + Files.readString(dir.resolve(node + "/gateway.log")));
            }
            String[] r = curl("tool", "-s", "-m", "5", "--cacert", ca.pair().cert().toString(), "-w", "\n%{http_code}",
                    "https://" + net.address(node) + ":" + ADMIN_PORT + path);
            last[0] = r[1] + " " + r[0];
            return r[1].equals(Integer.toString(status));
        }, () -> last[0]);
        return last[0];
    }

    private KeysReport keysOf(String node) throws Exception {
        String[] r = curl("tool", "-s", "-m", "5", "--cacert", ca.pair().cert().toString(), "-w", "\n%{http_code}",
                "https://" + net.address(node) + ":" + ADMIN_PORT + "/keys");
        assertEquals("200", r[1], node + " GET /keys: " + r[0]);
        return KeysReport.fromJson(r[0]);
    }

    private int frontStatus(String node) {
        String[] r = curl("client", "-s", "-o", "/dev/null", "-m", "5", "-w", "\n%{http_code}",
                "http://" + net.address(node) + ":" + FRONT_PORT + "/");
        return Integer.parseInt(r[1]);
    }

    /** The kvno 1 ticket from the client host: 200, and the node counts a kvno 1 ticket more. */
    private void assertPreRollTicketAccepted(String node, Path ccache) throws Exception {
        long before = acceptedKvno1(node);
        assertEquals("200", preRollTicketOn(node, ccache), node + " refused the ticket of before the rolls");
        assertEquals(before + 1, acceptedKvno1(node), node + " accepted it as a kvno 1 ticket");
    }

    private String preRollTicketOn(String node, Path ccache) {
        return curl("client", Map.of("KRB5CCNAME", "FILE:" + ccache), "-s", "-o", "/dev/null", "-m", "5",
                "-w", "\n%{http_code}", "--negotiate", "-u", ":", "--resolve",
                "array.example.test:" + FRONT_PORT + ":" + net.address(node),
                "http://array.example.test:" + FRONT_PORT + "/")[1];
    }

    private long acceptedKvno1(String node) throws Exception {
        return keysOf(node).version(SPN, 1).map(v -> v.accepted().last5m()).orElse(-1L);
    }

    // ---- the tool ----

    private void writeArrayFile(Path array, TestCertificates.Pair client, List<String> nodes) throws IOException {
        StringBuilder out = new StringBuilder("principal: " + SPN + "\n"
                + "enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96]\n"
                + "kdc: {type: mit, kadmin: remote, admin_principal: " + KEYADMIN + ", admin_keytab: admin.keytab, "
                + "server: \"" + net.address("kdc") + ":749\", krb5_config: " + krb5Conf + "}\n"
                + "grace: 10h\nverify_timeout: 20s\n" // the clients' ticket lifetime: add-node sends what is in grace
                + "check: {client: " + CHECK + ", keytab: rollcheck.keytab, krb5_conf: " + krb5Conf + "}\n"
                + "admin_ca: " + ca.pair().cert() + "\n"
                + "admin_client_cert: " + client.cert() + "\nadmin_client_key: " + client.key() + "\n"
                + "nodes:\n");
        for (String node : nodes) {
            String ip = net.address(node);
            out.append("  - {name: ").append(node).append(", admin: \"https://").append(ip).append(':')
                    .append(ADMIN_PORT).append("\", front: \"http://").append(ip).append(':').append(FRONT_PORT)
                    .append("/\"}\n");
        }
        Files.writeString(array, out.toString());
    }

    private record Cli(int exit, String output) {}

    /** {@code kerbgate keys ARGS}, the real CLI in its own JVM on the tool's host, as the guide runs it. */
    private Cli keys(String... args) {
        List<String> argv = new ArrayList<>(List.of(java(), "-XX:TieredStopAtLevel=1", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "io.kerbgate.cli.KerbgateCommand", "keys"));
        argv.addAll(List.of(args));
        long t = System.nanoTime();
        Processes.Result r = Processes.command(net.exec("tool", argv)).timeout(Duration.ofSeconds(90)).exec();
        timings.add("keys " + args[0] + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t) + " ms");
        System.out.println("MultiHostArrayTest: keys " + String.join(" ", args) + " exited " + r.exitCode() + "\n"
                + r.stdout() + r.stderr());
        return new Cli(r.exitCode(), r.stdout() + r.stderr());
    }

    @FunctionalInterface
    private interface Op {
        Cli run() throws Exception;
    }

    /** Runs a key operation with tcpdump on the bridge, and checks the capture against the keys the KDC has after it. */
    private Cli captured(String name, Op op) throws Exception {
        Path pcap = dir.resolve("capture-" + name + ".pcap");
        Path err = dir.resolve("capture-" + name + ".err");
        // A large buffer (-B, KiB): a packet the kernel drops is one the check below cannot see.
        Process tcpdump = new ProcessBuilder("/usr/bin/tcpdump", "-i", net.bridge(), "-n", "-U", "-s", "0",
                "-B", "65536", "-w", pcap.toString()).redirectErrorStream(true).redirectOutput(err.toFile()).start();
        try {
            await("tcpdump to listen on " + net.bridge(), Duration.ofSeconds(10),
                    () -> Files.readString(err).contains("listening on"));
            return op.run();
        } finally {
            awaitCaptured(pcap, System.currentTimeMillis() + 300);
            tcpdump.destroy();
            tcpdump.waitFor(10, TimeUnit.SECONDS);
            String summary = Files.readString(err);
            System.out.println("MultiHostArrayTest: capture " + name + ": " + summary.replaceAll("\\s*\n\\s*", "; "));
            assertTrue(summary.contains("\n0 packets dropped by kernel"), name + ": tcpdump lost packets: " + summary);
            captures.put(name, pcap);
            assertNoKeyIn(name, pcap, exportedKeys());
        }
    }

    /**
     * Waits until tcpdump has written a packet stamped after {@code untilMillis} (so everything up to then, the key
     * operation's last segments included, is in the file, not in a buffer), or, on a quiet bridge, until the file stops
     * growing.
     */
    private static void awaitCaptured(Path pcap, long untilMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long size = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            byte[] bytes = Files.readAllBytes(pcap);
            if (lastPacketMillis(bytes) > untilMillis) {
                return;
            }
            if (bytes.length != size) {
                size = bytes.length;
                stableSince = System.nanoTime();
            } else if (System.currentTimeMillis() > untilMillis
                    && System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(700)) {
                return;
            }
            Thread.sleep(50);
        }
        fail("tcpdump did not catch up with the bridge within 10 s: " + pcap);
    }

    /** The timestamp of the last whole record of a little-endian, microsecond pcap file; -1 if none. */
    private static long lastPacketMillis(byte[] pcap) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pcap).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (pcap.length < 24 || b.getInt(0) != 0xa1b2c3d4) {
            return -1;
        }
        long last = -1;
        int at = 24;
        while (at + 16 <= pcap.length) {
            long sec = Integer.toUnsignedLong(b.getInt(at));
            long usec = Integer.toUnsignedLong(b.getInt(at + 4));
            int length = b.getInt(at + 8);
            if (at + 16 + length > pcap.length) {
                break;
            }
            last = sec * 1000 + usec / 1000;
            at += 16 + length;
        }
        return last;
    }

    private void assertNoKeyIn(String name, Path pcap, List<KeytabEntry> keys) throws Exception {
        byte[] bytes = Files.readAllBytes(pcap);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        // The capture is real: the key operation's TLS to the admin port crossed the bridge, and the clear-text
        // Negotiate requests of the load and of the check step are in it.
        String adminPackets = Processes.command("/usr/bin/tcpdump", "-n", "-r", pcap.toString(), "tcp port "
                + ADMIN_PORT).run().stdout();
        assertTrue(adminPackets.lines().count() > 10, name + ": no admin traffic captured");
        String kadminPackets = Processes.command("/usr/bin/tcpdump", "-n", "-r", pcap.toString(), "tcp port 749")
                .run().stdout();
        assertTrue(kadminPackets.lines().count() > 4, name + ": no kadmin traffic captured");
        if (!name.endsWith("-down")) { // the load runs during every other operation
            assertTrue(text.contains("Negotiate "), name + ": no Negotiate header captured");
        }
        for (KeytabEntry e : keys) {
            String what = name + ": kvno " + e.kvno() + " enctype " + e.enctype() + " key in the capture ";
            assertTrue(indexOf(bytes, e.key()) < 0, what + "(raw)");
            String hex = HexFormat.of().formatHex(e.key());
            assertTrue(!text.contains(hex) && !text.toLowerCase().contains(hex), what + "(hex)");
            for (String b64 : base64Forms(e.key())) {
                assertTrue(!text.contains(b64), what + "(base64 " + b64.length() + " chars)");
            }
        }
    }

    /** The key's base64 at each of the three alignments it may have inside a longer encoding, standard and URL-safe. */
    private static List<String> base64Forms(byte[] key) {
        List<String> out = new ArrayList<>();
        for (int shift = 0; shift < 3; shift++) {
            byte[] padded = new byte[shift + key.length];
            System.arraycopy(key, 0, padded, shift, key.length);
            String s = Base64.getEncoder().withoutPadding().encodeToString(padded);
            int from = shift == 0 ? 0 : 4; // the first group mixes in the bytes before the key
            int to = (padded.length % 3 == 0) ? s.length() : s.length() - (padded.length % 3 + 1);
            String core = s.substring(from, to);
            out.add(core);
            out.add(core.replace('+', '-').replace('/', '_'));
        }
        return out;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- the client host ----

    private void balancer(String... nodes) throws IOException {
        List<String> ips = new ArrayList<>();
        for (String node : nodes) {
            ips.add(net.address(node));
        }
        Path file = dir.resolve("client/nodes");
        Files.writeString(dir.resolve("client/nodes.tmp"), String.join("\n", ips) + "\n");
        Files.move(dir.resolve("client/nodes.tmp"), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private RunningProcess startLoad(Path load) throws IOException {
        Path script = Files.writeString(load.resolve("load.sh"), LOAD_SCRIPT);
        RunningProcess p = Processes.command(net.exec("client", "/bin/bash", script.toString(), load.toString(),
                ALICE, Integer.toString(FRONT_PORT))).env("KRB5_CONFIG", krb5Conf.toString()).start();
        servers.add(p);
        return p;
    }

    private long[] loadStatus() throws IOException {
        Path status = dir.resolve("client/status");
        if (!Files.exists(status)) {
            return new long[] {0, 0, 0};
        }
        Matcher m = STATUS.matcher(Files.readString(status));
        if (!m.find()) {
            return new long[] {0, 0, 0};
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** Waits for {@code rounds} more complete rounds of the load over the nodes in the balancer. */
    private void awaitRounds(int rounds) throws Exception {
        long target = loadStatus()[0] + rounds;
        await(rounds + " rounds of load", Duration.ofSeconds(30), () -> loadStatus()[0] >= target);
    }

    private long[] stopLoad(Path load, RunningProcess p) throws Exception {
        Files.writeString(load.resolve("stop"), "");
        p.await(Duration.ofSeconds(30));
        return loadStatus();
    }

    private String[] curl(String host, String... args) {
        return curl(host, Map.of(), args);
    }

    /** curl on a host; returns the body and the status code (the last line, from {@code -w "\n%{http_code}"}). */
    private String[] curl(String host, Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of("/usr/bin/curl"));
        argv.addAll(List.of(args));
        Processes.Result r = Processes.command(net.exec(host, argv)).env("KRB5_CONFIG", krb5Conf.toString()).env(env)
                .timeout(Duration.ofSeconds(15)).exec();
        String out = r.stdout().stripTrailing();
        int nl = out.lastIndexOf('\n');
        return new String[] {nl < 0 ? "" : out.substring(0, nl), out.substring(nl + 1).strip()};
    }

    private Processes.Command onHost(String host, Map<String, String> env, String... argv) {
        return Processes.command(net.exec(host, argv)).env("KRB5_CONFIG", krb5Conf.toString()).env(env)
                .timeout(Duration.ofSeconds(15));
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(String what, Duration timeout, Condition condition) throws Exception {
        await(what, timeout, condition, () -> "");
    }

    private static void await(String what, Duration timeout, Condition condition,
            java.util.function.Supplier<String> detail) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout + " waiting for " + what + ": " + detail.get());
            }
            Thread.sleep(100);
        }
    }

    private void mark(String what, long since) {
        timings.add(what + " " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since) + " s");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file + ")";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The client host's load: real MIT clients. A fresh {@code kinit} every ten requests (so fresh service tickets,
     * under whatever kvno the KDC issues now), {@code curl --negotiate} round-robin over the addresses in
     * {@code DIR/nodes} (re-read every round: the balancer), until {@code DIR/stop} exists. After every round
     * {@code DIR/status} says {@code round R ok N failed M}; every failure is a line in {@code DIR/failures}.
     */
    private static final String LOAD_SCRIPT = """
            #!/bin/bash
            set -u
            dir=$1; principal=$2; port=$3
            ok=0; failed=0; round=0; requests=0; login=0; cc=
            fresh_login() {
              login=$((login + 1))
              local next="$dir/load.$login.cc"
              if KRB5CCNAME="FILE:$next" kinit -k -t "$dir/alice.keytab" "$principal" 2>>"$dir/failures"; then
                [ -n "$cc" ] && rm -f "$cc"
                cc=$next
              else
                failed=$((failed + 1)); echo "kinit failed" >>"$dir/failures"
              fi
            }
            fresh_login
            while [ ! -e "$dir/stop" ]; do
              for ip in $(cat "$dir/nodes"); do
                code=$(KRB5CCNAME="FILE:$cc" curl -s -o /dev/null -m 5 -w '%{http_code}' --negotiate -u : \\
                  --resolve "array.example.test:$port:$ip" "http://array.example.test:$port/")
                if [ "$code" = 200 ]; then
                  ok=$((ok + 1))
                else
                  failed=$((failed + 1)); echo "$(date +%T.%N) $ip $code" >>"$dir/failures"
                fi
                requests=$((requests + 1))
                if [ $((requests % 10)) = 0 ]; then fresh_login; fi
              done
              round=$((round + 1))
              echo "round $round ok $ok failed $failed" >"$dir/status.tmp" && mv "$dir/status.tmp" "$dir/status"
            done
            """;

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n</pattern></encoder>
              </appender>
              <logger name="io.kerbgate" level="INFO"/>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}

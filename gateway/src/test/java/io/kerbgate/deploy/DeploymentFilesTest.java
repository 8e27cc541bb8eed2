package io.kerbgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.testing.Processes;
import io.kerbgate.testing.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the deployment files consistent with each other and with the config loader, without Docker: the compose file
 * parsed with Jackson, every config it mounts loaded with {@link ConfigLoader}, the names and ports that
 * {@code haproxy.cfg} and {@code prometheus.yml} use checked against the services, and the health checks pointed at
 * {@code /readyz}. HAProxy's and systemd's own checkers run when they are installed.
 */
final class DeploymentFilesTest {
    private static final Path ROOT = repositoryRoot();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final String CONFIG_TARGET = "/etc/kerbgate/kerbgate.yaml";
    private static final Pattern SERVER = Pattern.compile("^\\s*server\\s+(\\S+)\\s+([\\w.-]+):(\\d+)(.*)$");
    private static final Pattern CHECK_PORT = Pattern.compile("\\bport\\s+(\\d+)");
    private static final Pattern BIND = Pattern.compile("^\\s*bind\\s+\\S*:(\\d+)");

    @TempDir
    static Path tmp;

    private static JsonNode compose;
    private static Path keytab;
    /** Gateway services (those that mount a kerbgate config) and their loaded configs. */
    private static final Map<String, GatewayConfig> gateways = new LinkedHashMap<>();

    @BeforeAll
    static void parse() throws Exception {
        compose = new YAMLMapper().readTree(DOCKER.resolve("compose.yaml").toFile());
        keytab = SecretFile.write(tmp.resolve("http.keytab"), new byte[] {0x05, 0x02});
        for (Map.Entry<String, JsonNode> service : services().entrySet()) {
            for (Mount m : mounts(service.getValue())) {
                if (m.target().equals(CONFIG_TARGET)) {
                    gateways.put(service.getKey(), load(m.source(), service.getValue()));
                }
            }
        }
    }

    private static Map<String, JsonNode> services() {
        Map<String, JsonNode> services = new LinkedHashMap<>();
        compose.path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
        return services;
    }

    /** A bind mount or named volume of a service: {@code ./config/node1.yaml:/etc/kerbgate/kerbgate.yaml:ro}. */
    private record Mount(String source, String target) {
        boolean isBind() {
            return source.startsWith("./") || source.startsWith("../");
        }
    }

    private static List<Mount> mounts(JsonNode service) {
        List<Mount> mounts = new ArrayList<>();
        for (JsonNode v : service.path("volumes")) {
            String[] parts = v.asText().split(":");
            mounts.add(new Mount(parts[0], parts[1]));
        }
        return mounts;
    }

    /** Loads a mounted node config with its keytab pointed at a temp file, after checking the keytab is mounted. */
    private static GatewayConfig load(String source, JsonNode service) throws Exception {
        Path file = DOCKER.resolve(source).normalize();
        assertTrue(Files.isRegularFile(file), source + " is mounted but does not exist");
        String text = Files.readString(file);
        JsonNode raw = new YAMLMapper().readTree(text);
        String keytabPath = raw.path("keytab").asText();
        assertTrue(mounts(service).stream().anyMatch(m -> !m.isBind() && keytabPath.startsWith(m.target() + "/")),
                source + ": keytab " + keytabPath + " is not inside a volume the service mounts");
        return ConfigLoader.parse(text.replace(keytabPath, keytab.toString()), file.getParent());
    }

    @Test
    void everyMountedFileAndBuildContextExists() {
        services().forEach((name, service) -> {
            for (Mount m : mounts(service)) {
                if (m.isBind()) {
                    assertTrue(Files.exists(DOCKER.resolve(m.source())), name + " mounts missing " + m.source());
                } else {
                    assertTrue(compose.path("volumes").has(m.source()), name + " uses undeclared volume " + m.source());
                }
            }
            JsonNode build = service.path("build");
            if (!build.isMissingNode()) {
                Path context = DOCKER.resolve(build.isTextual() ? build.asText() : build.path("context").asText());
                String dockerfile = build.path("dockerfile").asText("Dockerfile");
                assertTrue(Files.isRegularFile(context.resolve(dockerfile)), name + ": no " + dockerfile + " in "
                        + context);
            }
        });
        assertTrue(Files.isExecutable(DOCKER.resolve("kdc/entrypoint.sh")), "the KDC entrypoint must be executable");
    }

    @Test
    void threeGatewayNodes_loadWithConfigLoader_andShareTheKdcsKeytabVolume() {
        assertEquals(Set.of("gw1", "gw2", "gw3"), gateways.keySet());
        String kdcKeytabVolume = mounts(services().get("kdc")).stream()
                .filter(m -> m.target().equals("/keytabs")).findFirst().orElseThrow().source();
        gateways.forEach((name, config) -> {
            assertTrue(mounts(services().get(name)).stream().anyMatch(m -> m.source().equals(kdcKeytabVolume)),
                    name + " does not mount the KDC's keytab volume");
            assertTrue(config.admin().listen().getAddress().isAnyLocalAddress(),
                    name + ": admin must listen on 0.0.0.0 in a container, for Prometheus and HAProxy");
            assertEquals(List.of("HTTP/array.example.test@ARRAY.TEST"), config.principals());
            for (var backend : config.backends()) {
                assertTrue(services().containsKey(backend.getHost()), name + ": backend " + backend
                        + " is not a compose service");
            }
        });
        assertEquals("ARRAY.TEST", services().get("kdc").path("environment").path("REALM").asText());
        assertEquals("array.example.test", services().get("kdc").path("environment").path("ARRAY_HOST").asText());
    }

    @Test
    void haproxy_balancesTheGatewayNodes_onTheirListenPorts_andChecksReadyz() throws IOException {
        List<String> lines = Files.readAllLines(DOCKER.resolve("haproxy.cfg"));
        assertTrue(lines.stream().anyMatch(l -> l.strip().equals("mode tcp")), "HAProxy must balance in TCP mode");
        assertTrue(lines.stream().anyMatch(l -> l.contains("option httpchk GET /readyz")), "health check on /readyz");
        Set<String> balanced = new TreeSet<>();
        for (String line : lines) {
            Matcher m = SERVER.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String host = m.group(2);
            GatewayConfig node = gateways.get(host);
            assertTrue(node != null, "haproxy.cfg names " + host + ", which is not a gateway service");
            assertEquals(node.listen().getPort(), Integer.parseInt(m.group(3)), host + ": front port");
            Matcher check = CHECK_PORT.matcher(m.group(4));
            assertTrue(check.find(), host + ": the check must go to the admin port");
            assertEquals(node.admin().listen().getPort(), Integer.parseInt(check.group(1)), host + ": admin port");
            balanced.add(host);
        }
        assertEquals(gateways.keySet(), balanced, "every gateway node is in the backend");

        JsonNode haproxy = services().get("haproxy");
        int bind = lines.stream().map(BIND::matcher).filter(Matcher::find).mapToInt(m -> Integer.parseInt(m.group(1)))
                .findFirst().orElseThrow();
        assertTrue(texts(haproxy.path("ports")).stream().anyMatch(p -> p.endsWith(":" + bind)),
                "the published port must reach HAProxy's bind port " + bind);
        assertTrue(texts(haproxy.path("networks").path("default").path("aliases")).contains("array.example.test"));
        assertTrue(mounts(haproxy).stream().anyMatch(m -> m.source().equals("./haproxy.cfg")));
    }

    @Test
    void prometheus_scrapesEveryGatewayAdminPort() throws IOException {
        JsonNode prometheus = new YAMLMapper().readTree(DOCKER.resolve("prometheus.yml").toFile());
        Set<String> scraped = new TreeSet<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertEquals("/metrics", job.path("metrics_path").asText("/metrics"));
            for (JsonNode staticConfig : job.path("static_configs")) {
                for (String target : texts(staticConfig.path("targets"))) {
                    String host = target.substring(0, target.lastIndexOf(':'));
                    int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
                    GatewayConfig node = gateways.get(host);
                    assertTrue(node != null, "prometheus.yml scrapes " + host + ", which is not a gateway service");
                    assertEquals(node.admin().listen().getPort(), port, host + ": scrape port is not the admin port");
                    scraped.add(host);
                }
            }
        }
        assertEquals(gateways.keySet(), scraped);
        assertTrue(mounts(services().get("prometheus")).stream()
                .anyMatch(m -> m.source().equals("./prometheus.yml")));
    }

    @Test
    void healthchecks_hitReadyz_onTheAdminPort() throws IOException {
        gateways.forEach((name, config) -> {
            String test = String.join(" ", texts(services().get(name).path("healthcheck").path("test")));
            assertTrue(test.contains("http://127.0.0.1:" + config.admin().listen().getPort() + "/readyz"),
                    name + " healthcheck: " + test);
        });
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        assertTrue(dockerfile.contains("HEALTHCHECK"), "the image has a HEALTHCHECK");
        assertTrue(dockerfile.contains("http://127.0.0.1:9090/readyz"), "the image's HEALTHCHECK hits /readyz");
        assertTrue(dockerfile.contains("FROM maven:3-eclipse-temurin-17 AS build"), "multi-stage build");
        assertTrue(dockerfile.contains("FROM eclipse-temurin:17-jre"), "JRE runtime");
        assertTrue(dockerfile.lines().anyMatch(l -> l.startsWith("USER ") && !l.contains("root")), "non-root user");
    }

    @Test
    void valkey_isThere_andTheNodesMentionTheSharedReplayCache() throws IOException {
        assertTrue(services().containsKey("valkey"));
        for (int n = 1; n <= 3; n++) {
            String text = Files.readString(DOCKER.resolve("config/node" + n + ".yaml"));
            assertTrue(text.contains("# replay_cache:") && text.contains("redis://valkey:6379"), "node" + n);
        }
    }

    @Test
    void haproxyAcceptsItsConfig() {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        assumeTrue(Files.isExecutable(haproxy), "haproxy is not installed: skipping haproxy -c (apt-get install"
                + " haproxy to run it)");
        // The compose names do not resolve here; init-addr none makes that a warning, not an error.
        Processes.Result r = Processes.command(haproxy.toString(), "-c", "-f", DOCKER.resolve("haproxy.cfg").toString())
                .timeout(Duration.ofSeconds(20)).exec();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    @Test
    void systemdUnit_isHardened_andVerifies() throws IOException {
        Path unit = ROOT.resolve("conf/systemd/kerbgate.service");
        String text = Files.readString(unit);
        for (String directive : List.of("ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                "NoNewPrivileges=yes", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                "AmbientCapabilities=CAP_NET_BIND_SERVICE", "ReadOnlyPaths=/etc/kerbgate",
                "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
                "Restart=on-failure", "User=kerbgate",
                "ExecStart=/usr/bin/kerbgate run --config /etc/kerbgate/kerbgate.yaml", "StateDirectory=kerbgate",
                "RestartPreventExitStatus=2", "ExecReload=/bin/kill -HUP $MAINPID")) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith(directive)), "missing " + directive);
        }
        assertFalse(text.lines().anyMatch(l -> l.startsWith("MemoryDenyWriteExecute=yes")), "would break the JIT");

        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed: skipping systemd-analyze verify");
        // systemd-analyze also checks that ExecStart's binary exists; /usr/bin/kerbgate does once the package is
        // installed (DebPackageIT verifies the installed units). Here a copy runs the launcher from the source tree.
        Path launcher = ROOT.resolve("gateway/src/deb/bin/kerbgate");
        assertTrue(Files.isExecutable(launcher), launcher + " is not executable");
        Path copy = Files.writeString(tmp.resolve("kerbgate.service"),
                text.replace("ExecStart=/usr/bin/kerbgate ", "ExecStart=" + launcher + " "));
        Processes.Result r = Processes.command(analyze.toString(), "verify", copy.toString())
                .timeout(Duration.ofSeconds(30)).exec();
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertFalse(r.stderr().contains("kerbgate.service:"), "systemd-analyze complained: " + r.stderr());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docker/compose.yaml"))) {
                return d;
            }
        }
        throw new AssertionError("docker/compose.yaml not found above " + Path.of("").toAbsolutePath());
    }
}

package io.kerbgate.testing;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Separate "hosts" on one machine: Linux network namespaces {@code kg-<id>-<host>}, each with {@code lo} up and one
 * veth into a bridge {@code kgbr<id>} the test creates, with an address of a random private {@code 10.x.y.0/24}.
 * Nothing is assigned outside these namespaces; the bridge itself has no address, so the machine's own namespace
 * cannot reach them, nor they it. {@link #close()} removes the namespaces (killing what still runs in them), the
 * veths and the bridge, also after a failure. Needs root and {@code ip} (iproute2); {@link #available()} says so.
 *
 * <pre>{@code
 * assumeTrue(NetNamespaces.available(), NetNamespaces.NOT_AVAILABLE);
 * try (NetNamespaces net = NetNamespaces.create("kdc", "node1", "client")) {
 *     Processes.command(net.exec("node1", "java", ...)) ...
 * }
 * }</pre>
 */
public final class NetNamespaces implements AutoCloseable {

    public static final String NOT_AVAILABLE = "network namespaces need root and iproute2 (ip netns)";
    private static final String IP = "/usr/sbin/ip";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final String id;
    private final String bridge;
    private final String prefix;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final List<String> namespaces = new ArrayList<>();
    private final Thread cleanupOnExit;
    private boolean bridgeCreated;

    private NetNamespaces(String id, int b, int c) {
        this.id = id;
        this.bridge = "kgbr" + id;
        this.prefix = "10." + b + "." + c + ".";
        this.cleanupOnExit = new Thread(this::removeAll, "remove namespaces kg-" + id);
    }

    /**
     * Root, and a namespace and a bridge can be made here: a probe namespace is added and deleted (a container without
     * CAP_SYS_ADMIN or CAP_NET_ADMIN fails here, and the test is skipped rather than failed).
     */
    public static boolean available() {
        if (!"root".equals(System.getProperty("user.name")) || !java.nio.file.Files.isExecutable(java.nio.file.Path.of(IP))) {
            return false;
        }
        String probe = String.format("kg-probe-%06x", new SecureRandom().nextInt(1 << 24));
        String bridge = "kgpr" + probe.substring(9);
        try {
            boolean ok = Processes.command(IP, "netns", "add", probe).timeout(TIMEOUT).exec().exitCode() == 0;
            if (ok) {
                Processes.command(IP, "netns", "del", probe).timeout(TIMEOUT).exec();
                ok = Processes.command(IP, "link", "add", bridge, "type", "bridge").timeout(TIMEOUT).exec()
                        .exitCode() == 0;
                if (ok) {
                    Processes.command(IP, "link", "del", bridge).timeout(TIMEOUT).exec();
                }
            }
            return ok;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The namespaces named {@code hosts}, addresses {@code .10}, {@code .11}, ... in this order. */
    public static NetNamespaces create(String... hosts) {
        SecureRandom random = new SecureRandom();
        String id = String.format("%06x", random.nextInt(1 << 24));
        // 10.200.0.0 - 10.250.255.0: far from the usual 10.0/10.1 of home and cloud networks and from Docker's pools.
        NetNamespaces net = new NetNamespaces(id, 200 + random.nextInt(51), random.nextInt(256));
        Runtime.getRuntime().addShutdownHook(net.cleanupOnExit);
        try {
            net.ip("link", "add", net.bridge, "type", "bridge");
            net.bridgeCreated = true;
            net.ip("link", "set", net.bridge, "up");
            int host = 10;
            for (String name : hosts) {
                net.add(name, net.prefix + host++);
            }
            return net;
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private void add(String host, String address) {
        String ns = namespace(host);
        ip("netns", "add", ns);
        namespaces.add(ns);
        String outside = "kg" + id + "h" + namespaces.size();
        ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
        ip("link", "set", outside, "master", bridge, "up");
        ip("netns", "exec", ns, IP, "addr", "add", address + "/24", "dev", "eth0");
        ip("netns", "exec", ns, IP, "link", "set", "eth0", "up");
        ip("netns", "exec", ns, IP, "link", "set", "lo", "up");
        addresses.put(host, address);
    }

    /** The bridge's name, for tcpdump. */
    public String bridge() {
        return bridge;
    }

    /** The host's address, e.g. {@code 10.213.7.11}. */
    public String address(String host) {
        String a = addresses.get(host);
        if (a == null) {
            throw new IllegalArgumentException("no host " + host + " in " + addresses.keySet());
        }
        return a;
    }

    public String namespace(String host) {
        return "kg-" + id + "-" + host;
    }

    /** {@code ip netns exec kg-<id>-<host> argv...}: the command line that runs {@code argv} on that host. */
    public List<String> exec(String host, String... argv) {
        return exec(host, List.of(argv));
    }

    public List<String> exec(String host, List<String> argv) {
        address(host);
        List<String> out = new ArrayList<>(List.of(IP, "netns", "exec", namespace(host)));
        out.addAll(argv);
        return out;
    }

    @Override
    public void close() {
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private synchronized void removeAll() {
        for (String ns : namespaces) {
            // What still runs in the namespace is ours (started with ip netns exec by the test): end it by pid.
            Processes.Result pids = Processes.command(IP, "netns", "pids", ns).timeout(TIMEOUT).exec();
            for (String pid : pids.stdout().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            Processes.command(IP, "netns", "del", ns).timeout(TIMEOUT).exec();
        }
        namespaces.clear();
        if (bridgeCreated) {
            // Deleting a namespace deletes its end of each veth, and with it the other end.
            Processes.command(IP, "link", "del", bridge).timeout(TIMEOUT).exec();
            bridgeCreated = false;
        }
    }

    private void ip(String... args) {
        List<String> argv = new ArrayList<>(List.of(IP));
        argv.addAll(List.of(args));
        Processes.command(argv).timeout(TIMEOUT).run();
    }
}

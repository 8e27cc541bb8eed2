package io.kerbgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * A real reverse proxy from Debian's packages in front of kerbgate: nginx or Caddy, in the foreground, from a config
 * the test writes (the README's recipe with loopback ports), with everything it writes in a temp dir that
 * {@link #close()} removes.
 */
public final class FrontProxy implements AutoCloseable {

    public static final String NGINX_NOT_INSTALLED = "nginx not installed (apt-get install nginx)";
    public static final String CADDY_NOT_INSTALLED = "caddy not installed (apt-get install caddy)";
    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Path CADDY = Path.of("/usr/bin/caddy");

    private final String name;
    private final WorkDir dir;
    private final RunningProcess process;
    private final int port;

    private FrontProxy(String name, WorkDir dir, RunningProcess process, int port) {
        this.name = name;
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    public static boolean nginxAvailable() {
        return Files.isExecutable(NGINX);
    }

    public static boolean caddyAvailable() {
        return Files.isExecutable(CADDY);
    }

    /**
     * nginx with the {@code http} block {@code http.apply(port)} (the port it must listen on), its pid, logs and temp
     * files in the work dir; one process, no master (a test has no reloads).
     */
    public static FrontProxy nginx(Function<Integer, String> http) {
        WorkDir dir = WorkDir.create("kerbgate-nginx-");
        int port = FreePorts.tcp();
        Path d = dir.path();
        String config = """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                %2$s
                }
                """.formatted(d, http.apply(port));
        write(dir, "nginx.conf", config);
        RunningProcess process = Processes.command(NGINX.toString(), "-p", d.toString(), "-c",
                dir.resolve("nginx.conf").toString()).start();
        return started("nginx", dir, process, port);
    }

    /**
     * Caddy with the site block {@code site.apply(port)}, the admin endpoint off and no automatic HTTPS; its autosaved config
     * and data go to the work dir, not the user's home.
     */
    public static FrontProxy caddy(Function<Integer, String> site) {
        WorkDir dir = WorkDir.create("kerbgate-caddy-");
        int port = FreePorts.tcp();
        String config = """
                {
                	admin off
                	auto_https off
                }
                %s
                """.formatted(site.apply(port));
        write(dir, "Caddyfile", config);
        String home = dir.path().toString();
        RunningProcess process = Processes.command(CADDY.toString(), "run", "--config",
                        dir.resolve("Caddyfile").toString(), "--adapter", "caddyfile")
                .env(Map.of("HOME", home, "XDG_CONFIG_HOME", home, "XDG_DATA_HOME", home)).start();
        return started("caddy", dir, process, port);
    }

    public int port() {
        return port;
    }

    /** What the proxy wrote to stderr so far (its error log, for Caddy). */
    public String stderr() {
        return process.stderr();
    }

    /** nginx's error log, or Caddy's stderr: for assertion messages. */
    public String log() {
        Path errorLog = dir.resolve("error.log");
        try {
            return Files.exists(errorLog) ? Files.readString(errorLog) : process.stderr();
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private static void write(WorkDir dir, String file, String text) {
        try {
            Files.writeString(dir.resolve(file), text);
        } catch (IOException e) {
            dir.close();
            throw new UncheckedIOException(e);
        }
    }

    private static FrontProxy started(String name, WorkDir dir, RunningProcess process, int port) {
        FrontProxy proxy = new FrontProxy(name, dir, process, port);
        if (!process.awaitListening(port, Duration.ofSeconds(15))) {
            String log = proxy.log();
            proxy.close();
            throw new IllegalStateException(name + " did not listen on " + port + ": " + log);
        }
        return proxy;
    }

    @Override
    public void close() {
        process.close();
        dir.close();
    }
}

package io.kerbgate.cli;

import io.kerbgate.ConfigReload;
import io.kerbgate.Kerbgate;
import io.kerbgate.Preflight;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = {"Run the gateway until SIGTERM or SIGINT (drain, then exit 0); SIGHUP re-reads the config.",
                "Exit codes: 0 stopped by SIGTERM/SIGINT, 1 cannot start (a port in use), 2 a config error."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @ParentCommand
    private KerbgateCommand root;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = KerbgateCommand.DEFAULT_CONFIG,
            description = "The YAML config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Override
    public Integer call() throws InterruptedException {
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
            // The checks check-config makes: a config error found at start (a principal missing from the keytab) is
            // exit 2 as well, which the unit's RestartPreventExitStatus=2 keeps from restarting in a loop.
            Preflight.check(loaded);
        } catch (ConfigException e) {
            // The message names the key and the fix; a stack trace would only bury it.
            root.err().println(e.getMessage());
            return KerbgateCommand.EXIT_USAGE;
        }
        Kerbgate gateway;
        try {
            gateway = Kerbgate.start(loaded);
        } catch (Exception e) {
            root.err().println("kerbgate: cannot start: " + e.getMessage());
            log.debug("start failed", e);
            return 1;
        }
        ConfigReload reload = gateway.reloader(config, loaded);
        Signals.on("HUP", reload::reload);
        Signals.on("TERM", gateway::close);
        Signals.on("INT", gateway::close);
        // Any other way out of the JVM (System.exit elsewhere, a signal not handled above) still drains.
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "kerbgate-shutdown"));
        gateway.awaitShutdown();
        return 0;
    }
}

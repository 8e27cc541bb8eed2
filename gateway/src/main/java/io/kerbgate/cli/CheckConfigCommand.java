package io.kerbgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.Preflight;
import io.kerbgate.config.ConfigException;
import io.kerbgate.config.ConfigLoader;
import io.kerbgate.config.GatewayConfig;
import io.kerbgate.replay.SharedStoreSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "check-config",
        mixinStandardHelpOptions = true,
        versionProvider = KerbgateCommand.Version.class,
        description = {"Validate a config file as run does before it binds anything (the keytab holds every configured",
                "principal; TLS, cookie and backend files load), without starting; exit 0 when it is good, 2 when not."})
final class CheckConfigCommand implements Callable<Integer> {

    @ParentCommand
    private KerbgateCommand root;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = KerbgateCommand.DEFAULT_CONFIG,
            description = "The YAML config file (default: ${DEFAULT-VALUE}).")
    private Path config;

    @Option(names = "--effective", description = "Also print the effective config, defaults filled in, as YAML.")
    private boolean effective;

    @Override
    public Integer call() {
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
            Preflight.check(loaded);
        } catch (ConfigException e) {
            root.err().println(e.getMessage());
            return KerbgateCommand.EXIT_USAGE;
        }
        PrintStream out = root.out();
        out.println("config OK: " + config);
        // The redacted tree formats every value as the YAML would, so the summary reads like the file.
        ObjectNode tree = ConfigLoader.toRedactedTree(loaded);
        out.println("  listen:     " + tree.path("listen").asText());
        out.println("  admin:      " + tree.path("admin").path("listen").asText());
        out.println("  keytab:     " + tree.path("keytab").asText());
        out.println("  principals: " + (loaded.principals().isEmpty()
                ? "every principal in the keytab" : String.join(", ", loaded.principals())));
        out.println("  backends:   " + String.join(", ", texts(tree.path("backends"))));
        out.println("  clock_skew: " + tree.path("clock_skew").asText());
        if (restartRefusesEveryone(loaded)) {
            out.println("warning: no acceptor.replay_cache_file (and no replay.shared failing closed): after every start"
                    + " this node refuses all tokens for clock_skew (" + tree.path("clock_skew").asText()
                    + "), since it cannot know what its previous run accepted; set acceptor.replay_cache_file to a"
                    + " file in a directory only kerbgate writes, e.g. /var/lib/kerbgate/replay.cache");
        }
        if (effective) {
            out.println();
            out.print(ConfigLoader.toRedactedYaml(loaded));
        }
        return 0;
    }

    /** The restart guard's condition ({@code ReplayCaches.restartGuardStart}) as far as the config tells it. */
    private static boolean restartRefusesEveryone(GatewayConfig config) {
        SharedStoreSettings shared = config.replay().shared();
        return config.auth().required() && config.acceptor().replayCacheFile() == null
                && (shared == null || shared.fail() != SharedStoreSettings.Fail.CLOSED);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        // A backend is a URL, or {url, weight, ...} with its options: the summary names it by its URL.
        array.forEach(item -> texts.add(item.isObject() ? item.path("url").asText() : item.asText()));
        return texts;
    }
}

package io.kerbgate.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;

/**
 * The architecture of the README's picture ("Architecture") as ArchUnit rules. Each rule is built for a root package,
 * so that {@link ArchitectureTest} holds the gateway ({@code io.kerbgate}) to it and {@link ArchitectureRulesFailTest}
 * shows it failing on a small set of deliberately bad classes ({@code io.kerbgate.architecture.bad}).
 */
final class ArchitectureRules {

    /** The Kerberos core: it speaks RFC 4120, and neither reads configuration nor knows HTTP. */
    static final String[] KERBEROS_CORE = {"acceptor", "keys", "cache", "crypto", "der", "messages", "pac"};
    private static final String[] HTTP = {"io.netty.handler.codec.http..", "java.net.http..",
        "com.sun.net.httpserver..", "jakarta.servlet.."};
    private static final String[] HTTP_OR_NETTY = {"io.netty..", "java.net.http..", "com.sun.net.httpserver..",
        "jakarta.servlet.."};

    private ArchitectureRules() {}

    /**
     * No two packages import each other, directly or around a loop: every package is its own slice (the root
     * package's classes, {@code Kerbgate} and its neighbours, too), so {@code rollover} and {@code rollover.kdc} are two.
     */
    static SliceRule noPackageCycles(String root) {
        return SlicesRuleDefinition.slices().assignedFrom(eachPackage(root)).should().beFreeOfCycles();
    }

    /** The floors of the README's picture, top to bottom; a floor may use the floors below it, never one above. */
    static ArchRule layering(String root) {
        return Architectures.layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Commands").definedBy(root + ".cli..", root + ".demo..")
                .layer("Tools").definedBy(root + ".diagnostics..", root + ".rollover..")
                .layer("Wiring").definedBy(root)
                .layer("Edge").definedBy(root + ".proxy..", root + ".admin..")
                .layer("Request").definedBy(root + ".access..", root + ".basic..", root + ".identity..",
                        root + ".logging..", root + ".metrics..", root + ".sessions..", root + ".delegation..")
                .layer("Config").definedBy(root + ".config..")
                .layer("Acceptor").definedBy(root + ".acceptor..")
                .layer("State").definedBy(root + ".keys..", root + ".cache..", root + ".replay..", root + ".pac..")
                .layer("Foundation").definedBy(root + ".messages..", root + ".crypto..", root + ".der..",
                        root + ".initiator..", root + ".ldap..")
                .whereLayer("Commands").mayNotBeAccessedByAnyLayer()
                .whereLayer("Tools").mayOnlyBeAccessedByLayers("Commands")
                .whereLayer("Wiring").mayOnlyBeAccessedByLayers("Commands", "Tools")
                .whereLayer("Edge").mayOnlyBeAccessedByLayers("Commands", "Tools", "Wiring")
                .whereLayer("Request").mayOnlyBeAccessedByLayers("Commands", "Tools", "Wiring", "Edge")
                .whereLayer("Config").mayOnlyBeAccessedByLayers("Commands", "Tools", "Wiring", "Edge", "Request")
                .whereLayer("Acceptor").mayOnlyBeAccessedByLayers("Commands", "Tools", "Wiring", "Edge", "Request")
                .whereLayer("State").mayOnlyBeAccessedByLayers("Commands", "Tools", "Wiring", "Edge", "Request",
                        "Config", "Acceptor")
                .whereLayer("Foundation").mayOnlyBeAccessedByLayers("Commands", "Tools", "Wiring", "Edge", "Request",
                        "Config", "Acceptor", "State");
    }

    /** The Kerberos core reads no configuration: the wiring hands it policy records. */
    static ArchRule kerberosCoreReadsNoConfig(String root) {
        return noClasses().that().resideInAnyPackage(packages(root, KERBEROS_CORE))
                .should().dependOnClassesThat().resideInAPackage(root + ".config..")
                .because("the wiring builds the core's policy records from the config (README, Architecture)");
    }

    /** The replay caches read no configuration either; today they still take {@code GatewayConfig.Replay}. */
    static ArchRule replayReadsNoConfig(String root) {
        return noClasses().that().resideInAPackage(root + ".replay..")
                .should().dependOnClassesThat().resideInAPackage(root + ".config..")
                .because("the replay caches take settings records of their own, built by the wiring");
    }

    /** Delegation reads no configuration and knows no HTTP or Netty: the wiring hands it its settings record. */
    static ArchRule delegationReadsNoConfigNorHttp(String root) {
        return noClasses().that().resideInAPackage(root + ".delegation..")
                .should().dependOnClassesThat().resideInAPackage(root + ".config..")
                .orShould().dependOnClassesThat().resideInAnyPackage(HTTP_OR_NETTY)
                .because("delegation answers in Kerberos terms (a token or a refusal); the edge maps it to HTTP");
    }

    /** The Kerberos core knows no HTTP and no Netty: only the edge does. */
    static ArchRule kerberosCoreKnowsNoHttp(String root) {
        return noClasses().that().resideInAnyPackage(packages(root, KERBEROS_CORE))
                .should().dependOnClassesThat().resideInAnyPackage(HTTP_OR_NETTY)
                .because("the acceptor answers in Kerberos terms; the HTTP status is the edge's mapping");
    }

    /**
     * The replay caches know no HTTP. Netty itself they may touch: the Redis client (Lettuce) runs on Netty's event
     * loops, and {@code RedisSharedStore} schedules a connection's close on them.
     */
    static ArchRule replayKnowsNoHttp(String root) {
        return noClasses().that().resideInAPackage(root + ".replay..")
                .should().dependOnClassesThat().resideInAnyPackage(HTTP)
                .because("a replay verdict is a Kerberos answer (34, or unavailable); the edge maps it to HTTP");
    }

    private static String[] packages(String root, String... names) {
        return java.util.Arrays.stream(names).map(n -> root + "." + n + "..").toArray(String[]::new);
    }

    /** One slice per package under {@code root}, named by its path below the root ({@code rollover.kdc}). */
    private static SliceAssignment eachPackage(String root) {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String pkg = javaClass.getPackageName();
                if (pkg.equals(root)) {
                    return SliceIdentifier.of("(root)");
                }
                if (pkg.startsWith(root + ".")) {
                    return SliceIdentifier.of(pkg.substring(root.length() + 1));
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "every package under " + root;
            }
        };
    }
}

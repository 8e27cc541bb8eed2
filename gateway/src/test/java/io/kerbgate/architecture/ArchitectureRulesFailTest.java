package io.kerbgate.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every architecture rule fails when broken: each runs against the deliberately bad classes of
 * {@code io.kerbgate.architecture.bad} and must report the class that breaks it. A rule that passes here would pass
 * whatever the gateway's code did.
 */
final class ArchitectureRulesFailTest {

    private static final String BAD = "io.kerbgate.architecture.bad";

    private static JavaClasses bad;

    @BeforeAll
    static void importBadClasses() {
        bad = new ClassFileImporter().importPackages(BAD);
    }

    @Test
    void noPackageCycles_reportsTheKeysCryptoCycle() {
        assertViolation(ArchitectureRules.noPackageCycles(BAD), "keys", "crypto");
    }

    @Test
    void layering_reportsAFloorReachingUp() {
        assertViolation(ArchitectureRules.layering(BAD), "ReachesUp", "Edge");
        assertViolation(ArchitectureRules.layering(BAD), "acceptor.ReadsConfig", "Settings");
    }

    @Test
    void kerberosCoreReadsNoConfig_reportsTheAcceptorReadingSettings() {
        assertViolation(ArchitectureRules.kerberosCoreReadsNoConfig(BAD), "acceptor.ReadsConfig", "Settings");
    }

    @Test
    void replayReadsNoConfig_reportsTheReplayCacheReadingSettings() {
        assertViolation(ArchitectureRules.replayReadsNoConfig(BAD), "replay.ReadsConfig", "Settings");
    }

    @Test
    void delegationReadsNoConfigNorHttp_reportsTheDelegationReadingSettings() {
        assertViolation(ArchitectureRules.delegationReadsNoConfigNorHttp(BAD), "delegation.ReadsConfig", "Settings");
    }

    @Test
    void kerberosCoreKnowsNoHttp_reportsTheNettyStatus() {
        assertViolation(ArchitectureRules.kerberosCoreKnowsNoHttp(BAD), "SpeaksHttp", "HttpResponseStatus");
    }

    @Test
    void replayKnowsNoHttp_reportsTheReplayCacheAnsweringInHttp() {
        assertViolation(ArchitectureRules.replayKnowsNoHttp(BAD), "replay.AnswersInHttp", "HttpResponseStatus");
    }

    private static void assertViolation(ArchRule rule, String... mentioned) {
        EvaluationResult result = rule.evaluate(bad);
        assertTrue(result.hasViolation(), "expected a violation of: " + rule.getDescription());
        String report = String.join("\n", result.getFailureReport().getDetails());
        for (String m : mentioned) {
            assertTrue(report.contains(m), "the report names " + m + ":\n" + report);
        }
    }
}

package io.kerbgate.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway's production classes against the rules of the README's architecture picture. */
final class ArchitectureTest {

    private static final String ROOT = "io.kerbgate";

    private static JavaClasses gateway;

    @BeforeAll
    static void importGateway() {
        gateway = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void noPackageCycle() {
        ArchitectureRules.noPackageCycles(ROOT).check(gateway);
    }

    @Test
    void layering() {
        ArchitectureRules.layering(ROOT).check(gateway);
    }

    @Test
    void kerberosCoreReadsNoConfig() {
        ArchitectureRules.kerberosCoreReadsNoConfig(ROOT).check(gateway);
    }

    @Test
    void replayReadsNoConfig() {
        ArchitectureRules.replayReadsNoConfig(ROOT).check(gateway);
    }

    @Test
    void delegationReadsNoConfigNorHttp() {
        ArchitectureRules.delegationReadsNoConfigNorHttp(ROOT).check(gateway);
    }

    @Test
    void kerberosCoreKnowsNoHttp() {
        ArchitectureRules.kerberosCoreKnowsNoHttp(ROOT).check(gateway);
    }

    @Test
    void replayKnowsNoHttp() {
        ArchitectureRules.replayKnowsNoHttp(ROOT).check(gateway);
    }
}

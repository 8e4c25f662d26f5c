package dev.bpfunit.assertj;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Holds the assertions module's row of the layer table in CONTRIBUTING.md: it uses the public API only. */
class ArchitectureTest {

    @Test
    void assertionsUseOnlyThePublicApi() {
        JavaClasses assertions = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.bpfunit.assertj");
        assertThat(assertions.size()).isGreaterThan(20);
        noClasses().that().resideInAPackage("dev.bpfunit.assertj").should().dependOnClassesThat()
                .resideInAnyPackage("dev.bpfunit.sys..", "dev.bpfunit.elf..", "dev.bpfunit.rawelf..",
                        "dev.bpfunit.asm..", "dev.bpfunit.junit..")
                .because("assertions see what a user sees (CONTRIBUTING.md)")
                .check(assertions);
    }
}

package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;

class CoverageExtensionTest {

    @BpfTest("junit/counter.bpf.o")
    static class Covered {
        @Program("count_packets") BpfProgram program;
        BpfObject object;

        @Test
        void runsTheProgram() {
            assertThat(object.coverageLayout()).isPresent();
            assertThat(program.run(new byte[64]).retval()).isEqualTo(2);
        }

        @Test
        void runsNothing() {
            assertThat(object.coverageLayout()).isPresent();
        }
    }

    @Test
    void theConfigurationParameterInstrumentsLoadsAndWritesReportsWhenTheRunEnds(@TempDir Path dir) throws Exception {
        Kit.assertAllPassed(Kit.run(Covered.class, Map.of(BpfTest.COVERAGE, "true", BpfTest.COVERAGE_DIR,
                dir.toString(), BpfTest.COVERAGE_SOURCES, "src/test/resources/junit")), 2);
        String lcov = Files.readString(dir.resolve("lcov.info"));
        assertThat(lcov).contains("SF:" + Path.of("src/test/resources/junit/counter.bpf.c").toAbsolutePath())
                .contains("end_of_record");
        String page = Files.readString(dir.resolve("counter.bpf.c.html"));
        assertThat(page).contains("covered by Covered.runsTheProgram").doesNotContain("Covered.runsNothing")
                .contains("__sync_fetch_and_add");
        assertThat(dir.resolve("cobertura.xml")).exists();
        assertThat(dir.resolve("index.html")).exists();
    }

    @Test
    void withoutTheParameterNothingIsInstrumented(@TempDir Path dir) {
        Kit.assertAllPassed(Kit.run(Plain.class, Map.of(BpfTest.COVERAGE_DIR, dir.toString())), 1);
        assertThat(dir.resolve("lcov.info")).doesNotExist();
    }

    @BpfTest(value = "junit/counter.bpf.o", noCoverage = "count_packets")
    static class LeftOut {
        @Program("count_packets") BpfProgram program;
        BpfObject object;

        @Test
        void runsUncounted() {
            assertThat(program.run(new byte[64]).retval()).isEqualTo(2);
            assertThat(object.coverage().files()).isEmpty();
            assertThat(object.coverage().notes()).anyMatch(n -> n.contains("'count_packets'")
                    && n.contains("noCoverage"));
        }
    }

    @Test
    void noCoverageLeavesAProgramWithoutCounters(@TempDir Path dir) {
        Kit.assertAllPassed(Kit.run(LeftOut.class, Map.of(BpfTest.COVERAGE, "true", BpfTest.COVERAGE_DIR,
                dir.toString())), 1);
    }

    @BpfTest(value = "junit/counter.bpf.o", noCoverage = "count_packet")
    static class LeftOutMisspelt {
        BpfObject object;

        @Test
        void test() {
        }
    }

    @Test
    void noCoverageOfAProgramThatDoesNotExistListsThePrograms(@TempDir Path dir) {
        assertThat(Kit.onlyFailure(Kit.run(LeftOutMisspelt.class, Map.of(BpfTest.COVERAGE, "true",
                BpfTest.COVERAGE_DIR, dir.toString()))))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("noCoverage = \"count_packet\"")
                .hasMessageContaining("count_packets");
    }

    @BpfTest("junit/counter.bpf.o")
    static class Plain {
        BpfObject object;

        @Test
        void notInstrumented() {
            assertThat(object.coverageLayout()).isEmpty();
        }
    }

    @BpfTest("junit/counter.bpf.o")
    static class ClockWithoutDeterministic {
        TestClock clock;

        @Test
        void test() {
        }
    }

    @Test
    void aClockWithoutDeterministicIsAConfigurationError() {
        assertThat(Kit.onlyFailure(Kit.run(ClockWithoutDeterministic.class)))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("TestClock field ClockWithoutDeterministic.clock: the objects are loaded with "
                        + "the kernel's clock: annotate the test class (or method) with @Deterministic");
    }

    @BpfTest("junit/counter.bpf.o")
    @Deterministic(seed = 5)
    static class WithClock {
        TestClock clock;
        BpfObject object;

        @Test
        void theClockDrivesTheObject() {
            clock.advance(java.time.Duration.ofSeconds(1));
            assertThat(clock.nanos()).isEqualTo(1_000_000_000L);
            assertThat(object.map("bpfunit_det").lookup(new byte[4]).orElseThrow()).startsWith(
                    (byte) 0x00, (byte) 0xca, (byte) 0x9a, (byte) 0x3b);
        }
    }

    @Test
    void deterministicInjectsTheClockOfTheTestsObjects() {
        Kit.assertAllPassed(Kit.run(WithClock.class), 1);
    }
}

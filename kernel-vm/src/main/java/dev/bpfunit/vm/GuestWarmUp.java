package dev.bpfunit.vm;

import dev.bpfunit.Features;
import dev.bpfunit.junit.BpfTest;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The tests the class-data archive's training run ({@link GuestLauncher#TRAIN}) and the resident JVM's warm-up
 * ({@link GuestLauncher#resident}) execute, so that the archive holds what the engines load to discover and run
 * tests (Jupiter's execution, extension registry, output capture, reporting) and the resident JVM has run those
 * paths before it is saved, not only their discovery; the user's tests are discovered there, never run. Besides a
 * plain test it has the kinds of test a suite commonly has: a nested class, a repeated test, a test factory's
 * dynamic tests, display names, tags, a lifecycle method and injected parameters. Enabled only in those runs.
 */
@EnabledIfSystemProperty(named = GuestLauncher.GUEST_PROPERTY, matches = GuestLauncher.TRAINING)
@DisplayName("bpfunit guest warm-up")
@Tag("bpfunit-warm-up")
class GuestWarmUp {
    private int runs;

    @BeforeEach
    void setUp(TestInfo info) {
        runs = info.getTags().contains("bpfunit-warm-up") ? 1 : 0;
    }

    @Test
    void runsLikeATestInTheGuest(TestReporter reporter) {
        System.out.println("bpfunit class-data training run");
        reporter.publishEntry("training", "class data");
        Assertions.assertEquals(2, 1 + 1, "arithmetic");
    }

    @RepeatedTest(2)
    void repeats() {
        Assertions.assertEquals(1, runs);
    }

    @TestFactory
    Stream<DynamicTest> dynamicTests() {
        return Stream.of(1, 2).map(n -> DynamicTest.dynamicTest("dynamic " + n, () -> Assertions.assertTrue(n > 0)));
    }

    @Nested
    @DisplayName("nested")
    class Inner {
        @Test
        void runsInANestedClass() {
            Assertions.assertEquals(1, runs);
        }
    }

    /**
     * A test with bpfunit's extension, as every {@code @BpfTest} class in a guest has: the extension's classes and
     * their static state (Jupiter's version checks and {@code publishFile} look-up, the verifier hints, the
     * {@code bpf(2)} wrappers) and the process's one probe of the kernel's BPF ({@link Features#unavailableReason},
     * a map created and closed). In a resident JVM these came after the hand-off of every run: about 0.8 s of a
     * 6.12 guest's 2.0 s from the hand-off to its first test under TCG (sampled). A process that cannot use BPF skips
     * it, as it skips every {@code @BpfTest} class.
     */
    @Nested
    @BpfTest
    @DisplayName("with bpfunit's extension")
    class WithBpfExtension {
        @Test
        void probesTheKernel() {
            Assertions.assertEquals(Optional.empty(), Features.unavailableReason());
        }
    }
}

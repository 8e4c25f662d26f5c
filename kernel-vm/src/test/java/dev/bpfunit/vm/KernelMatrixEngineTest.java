package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.EventConditions.uniqueIdSubstrings;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.bpfunit.vm.fixtures.GuestHangs;
import dev.bpfunit.vm.fixtures.GuestOutcomes;
import dev.bpfunit.vm.fixtures.GuestPanics;
import dev.bpfunit.vm.fixtures.GuestPasses;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineDiscoveryResults;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/** The kernel-matrix engine through EngineTestKit: discovery, replay of real guest runs, failing guests. */
class KernelMatrixEngineTest {
    @TempDir
    Path runs;

    /**
     * The engine on {@code testClass}; its guests without a resident JVM (with the default, the second run of a
     * machine in this JVM would save one: 20-25 s, and not what these tests are about; VmRunnerTest tests it).
     */
    private EngineTestKit.Builder kit(KernelMatrixEngine engine, Class<?> testClass) {
        return EngineTestKit.engine(engine).selectors(selectClass(testClass))
                .configurationParameter(BpfKernels.DIR, runs.toString())
                .configurationParameter(BpfKernels.RESIDENT, "false");
    }

    @Test
    void discoversOneContainerPerKernelWithEveryTestOfTheClass() {
        EngineDiscoveryResults results = kit(new KernelMatrixEngine(), GuestOutcomes.class)
                .configurationParameter(BpfKernels.KERNELS, "6.1, 6.12").discover();

        TestDescriptor engine = results.getEngineDescriptor();
        // the class's own @BpfKernels("container") wins over the configured kernels
        assertThat(engine.getChildren()).extracting(TestDescriptor::getDisplayName).containsExactly("[container]");
        TestDescriptor kernel = engine.getChildren().iterator().next();
        TestDescriptor testClass = kernel.getChildren().iterator().next();
        assertThat(testClass.getLegacyReportingName()).isEqualTo("[container] GuestOutcomes");
        assertThat(testClass.getChildren()).extracting(TestDescriptor::getLegacyReportingName)
                .contains("[container] GuestOutcomes > passes(TestReporter)", "[container] GuestOutcomes > fails()");
        assertThat(testClass.getUniqueId().toString()).isEqualTo("[engine:bpfunit-kernels]/[kernel:container]"
                + "/[engine:junit-jupiter]/[class:dev.bpfunit.vm.fixtures.GuestOutcomes]");
    }

    @Test
    void plainClassesNeedTheSettingOrTheAnnotation() {
        assertThat(kit(new KernelMatrixEngine(), GuestHangs.class).configurationParameter(BpfKernels.KERNELS, "6.12")
                .discover().getEngineDescriptor().getChildren()).isEmpty();
        TestDescriptor engine = kit(new KernelMatrixEngine(), GuestHangs.class)
                .configurationParameter(BpfKernels.KERNELS, "6.1,6.12")
                .configurationParameter(BpfKernels.CLASSES, "all").discover().getEngineDescriptor();
        assertThat(engine.getChildren()).extracting(TestDescriptor::getDisplayName)
                .containsExactly("[kernel 6.1]", "[kernel 6.12]");
        // only the engine that found the class on the host is started in the guests
        assertThat(MatrixDescriptor.guestEngines(engine.getChildren())).containsExactly("junit-jupiter");
        assertThat(kit(new KernelMatrixEngine(), GuestHangs.class).discover().getEngineDescriptor().getChildren())
                .isEmpty();
    }

    @Test
    void fallbackRunsBpfTestClassesElsewhereOnlyWithoutBpf() {
        KernelMatrixEngine withoutBpf = new KernelMatrixEngine(() -> Optional.of("no CAP_BPF"),
                KernelRun.Backends.real());
        TestDescriptor engine = kit(withoutBpf, BpfTestFixture.class)
                .configurationParameter(BpfKernels.FALLBACK, "6.12").discover().getEngineDescriptor();
        assertThat(engine.getChildren()).extracting(TestDescriptor::getDisplayName).containsExactly("[kernel 6.12]");

        KernelMatrixEngine withBpf = new KernelMatrixEngine(Optional::empty, KernelRun.Backends.real());
        assertThat(kit(withBpf, BpfTestFixture.class).configurationParameter(BpfKernels.FALLBACK, "6.12").discover()
                .getEngineDescriptor().getChildren()).isEmpty();
    }

    @Test
    void aBadClassesSettingIsNamed() {
        assertThatThrownBy(() -> kit(new KernelMatrixEngine(), GuestOutcomes.class)
                .configurationParameter(BpfKernels.CLASSES, "some").discover())
                .rootCause().isInstanceOf(VmException.class)
                .hasMessage("bpfunit.kernels.classes is 'some': set it to annotated or all");
    }

    /** A resident launcher JVM from a machine's second run by default; from its first, or never, when asked. */
    @Test
    void theResidentSettingSaysFromWhichRunAGuestHoldsTheLauncherJvm() {
        assertThat(KernelMatrixEngine.residentSetting(TestConfigurationParameters.of(Map.of())))
                .contains(ResidentJvm.When.SECOND_RUN);
        assertThat(KernelMatrixEngine.residentSetting(TestConfigurationParameters.of(Map.of(BpfKernels.RESIDENT, " Auto "))))
                .contains(ResidentJvm.When.SECOND_RUN);
        assertThat(KernelMatrixEngine.residentSetting(TestConfigurationParameters.of(Map.of(BpfKernels.RESIDENT, "true"))))
                .contains(ResidentJvm.When.FIRST_RUN);
        assertThat(KernelMatrixEngine.residentSetting(TestConfigurationParameters.of(Map.of(BpfKernels.RESIDENT, "FALSE")))).isEmpty();
        assertThatThrownBy(() -> kit(new KernelMatrixEngine(), GuestOutcomes.class)
                .configurationParameter(BpfKernels.RESIDENT, "yes").discover())
                .rootCause().isInstanceOf(VmException.class)
                .hasMessage("bpfunit.kernels.resident is 'yes': set it to auto, true or false");
    }

    /** A real guest (the container: the host's kernel) runs the class; each outcome comes back as it was. */
    @Test
    void replaysEachOutcomeOfARealGuestRun() {
        EngineExecutionResults results = kit(new KernelMatrixEngine(), GuestOutcomes.class).execute();

        results.testEvents().assertThatEvents()
                .haveExactly(1, event(test("passes"), displayName("passes(TestReporter)"), finishedSuccessfully()))
                .haveExactly(1, event(test("fails"), finishedWithFailure(instanceOf(AssertionFailedError.class),
                        message(m -> m.contains("guest arithmetic") && m.contains("expected: <2> but was: <3>")))))
                .haveExactly(1, event(test("disabled"), skippedWithReason(r -> r.contains("switched off"))))
                .haveExactly(1, event(test(), uniqueIdSubstrings("parameterized(int)", "test-template-invocation:#1"), finishedSuccessfully()))
                .haveExactly(1, event(test(), uniqueIdSubstrings("parameterized(int)", "test-template-invocation:#2"),
                        finishedWithFailure(instanceOf(AssertionFailedError.class))));
        assertThat(results.testEvents().aborted().list()).singleElement().satisfies(e -> assertThat(
                e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable()
                        .orElseThrow()).hasMessageContaining("not on this kernel"));
        results.containerEvents().assertThatEvents()
                .haveExactly(1, event(container(), displayName("[container]"), finishedSuccessfully()));
        List<ReportEntry> entries = results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow()).toList();
        assertThat(entries).anyMatch(e -> e.getKeyValuePairs().getOrDefault("kernel", "").matches("\\d+\\.\\d+.*"));
        assertThat(entries).anyMatch(e -> e.getKeyValuePairs().getOrDefault("stdout", "").contains("hello from the guest"));
        assertThat(entries).anyMatch(e -> e.getKeyValuePairs().containsKey("bootTime"));
    }

    /**
     * A 6.12 guest maps the class-data archive the host dumped before it started: its JVM's log counts the classes
     * loaded before the first test that came from the archive (none would without it). The run files go under
     * {@code target/}, which the guest sees at its host path, as it does not see the host's {@code /tmp}.
     */
    @Test
    void aGuestLoadsItsFirstClassesFromTheClassDataArchive() throws java.io.IOException {
        Path dir = java.nio.file.Files.createDirectories(Path.of("target/class-data-runs").toAbsolutePath());
        EngineExecutionResults results = EngineTestKit.engine(new KernelMatrixEngine())
                .selectors(selectClass(GuestPasses.class))
                .configurationParameter(BpfKernels.DIR, dir.toString())
                .configurationParameter(BpfKernels.RESIDENT, "false") // the JVM that maps the archive starts here
                .configurationParameter(BpfKernels.KERNELS, "6.12")
                .configurationParameter(BpfKernels.CLASSES, "all").execute();

        results.testEvents().assertThatEvents().haveExactly(1, event(test("passes"), finishedSuccessfully()));
        String classData = results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getPayload(ReportEntry.class).orElseThrow().getKeyValuePairs())
                .filter(e -> e.containsKey(GuestLauncher.CLASS_DATA)).map(e -> e.get(GuestLauncher.CLASS_DATA))
                .findFirst().orElseThrow(() -> new AssertionError("the guest reported nothing on its class data"));
        java.util.regex.Matcher counts = java.util.regex.Pattern
                .compile("^([\\d,]+) of ([\\d,]+) classes before the first test from the class-data archive$")
                .matcher(classData);
        assertThat(counts.find()).as(classData).isTrue();
        long shared = Long.parseLong(counts.group(1).replace(",", ""));
        long loaded = Long.parseLong(counts.group(2).replace(",", ""));
        // the JDK's own archive holds about a third of them; the application archive most of the rest
        assertThat(shared).as(classData).isGreaterThan(loaded / 4);
    }

    /** A guest whose test panics its kernel: the kernel's container and the unfinished tests fail with the console. */
    @Test
    void aKernelPanicFailsTheKernelAndItsUnfinishedTestsWithTheConsoleTail() {
        EngineExecutionResults results = kit(new KernelMatrixEngine(), GuestPanics.class)
                .configurationParameter(BpfKernels.KERNELS, "6.12")
                .configurationParameter(BpfKernels.CLASSES, "all").execute();

        results.testEvents().assertThatEvents()
                .haveExactly(1, event(test("runsFirst"), finishedSuccessfully()))
                .haveExactly(1, event(test("panicsTheKernel"), finishedWithFailure(instanceOf(VmFailureException.class),
                        message(m -> m.contains("guest kernel panicked") && m.contains("--- console")
                                && m.contains("sysrq triggered crash")))))
                .haveExactly(1, event(test("neverRuns"), finishedWithFailure(
                        message(m -> m.startsWith("not run: [kernel 6.12] failed: guest kernel panicked")))));
        results.containerEvents().assertThatEvents()
                .haveExactly(1, event(container(), displayName("[kernel 6.12]"), finishedWithFailure(instanceOf(VmFailureException.class),
                        message(m -> m.contains("Kernel panic - not syncing")))));
    }

    /** A guest that never ends is killed at the timeout and reported as such, never as a pass. */
    @Test
    void aHangingGuestFailsWithTheTimeoutAndTheConsoleTail() {
        EngineExecutionResults results = kit(new KernelMatrixEngine(), GuestHangs.class)
                .configurationParameter(BpfKernels.KERNELS, "container")
                .configurationParameter(BpfKernels.CLASSES, "all")
                .configurationParameter(BpfKernels.TIMEOUT, "20s").execute();

        results.testEvents().assertThatEvents().haveExactly(1, event(test("hangs"),
                finishedWithFailure(instanceOf(VmFailureException.class), message(m -> m.contains("timed out")))));
        results.containerEvents().assertThatEvents().haveExactly(1, event(container(), displayName("[container]"),
                finishedWithFailure(message(m -> m.contains("timed out") && m.contains("--- console")))));
        assertThat(results.allEvents().succeeded().stream().filter(e -> e.getTestDescriptor().isTest())).isEmpty();
    }
}

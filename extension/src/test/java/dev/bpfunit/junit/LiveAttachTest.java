package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Hook;
import dev.bpfunit.TraceLog;
import dev.bpfunit.Triggers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** {@code @Attach}, {@code TraceLog} injection with its report entry, and {@code @RequiresHook}, through JUnit. */
class LiveAttachTest {

    @BeforeAll
    static void needsTracepoints() {
        Assumptions.assumeTrue(Hook.TRACEPOINT.isAvailable(), () -> Hook.TRACEPOINT.unavailableReason().orElseThrow());
    }

    static final List<BpfObject> SEEN = new ArrayList<>();

    @BpfTest("junit/live.bpf.o")
    static class Attached {
        @Attach @Program("count_getpid") BpfProgram bySection;
        @Attach("tp/syscalls/sys_enter_getpid") @Program("count_any") BpfProgram byTarget;

        @Test
        void bothCount(BpfObject obj) {
            SEEN.add(obj);
            assertThat(obj.links()).hasSize(2);
            Triggers.getpid();
            assertThat(obj.globals().get("getpid_calls").asLong()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void attachesBeforeTheTestAndDetachesAfter() {
        SEEN.clear();
        Kit.assertAllPassed(Kit.run(Attached.class), 1);
        assertThat(SEEN).singleElement().satisfies(o -> assertThat(o.links()).isEmpty());
    }

    @BpfTest("junit/live.bpf.o")
    static class NoTarget {
        @Attach @Program("count_any") BpfProgram bare;

        @Test
        void test() {
        }
    }

    @Test
    void aSectionWithoutTargetIsAConfigurationError() {
        assertThat(Kit.onlyFailure(Kit.run(NoTarget.class))).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("@Attach on field NoTarget.bare")
                .hasMessageContaining("write SEC(\"tp/<category>/<name>\") or call attachTracepoint(category, name)");
    }

    @BpfTest("junit/live.bpf.o")
    static class Printing {
        @Attach @Program("printk_getpid") BpfProgram printer;

        @Test
        void prints(TraceLog log) {
            Triggers.getpid();
            assertThat(log.await("live fixture getpid " + Triggers.tid(), Duration.ofSeconds(2))).hasSize(1);
        }
    }

    @Test
    void theTestsPrintkLinesAreItsReportEntry() {
        EngineExecutionResults r = Kit.run(Printing.class);
        Kit.assertAllPassed(r, 1);
        List<String> entries = r.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .filter(m -> m.containsKey("bpf_printk")).map(m -> m.get("bpf_printk")).toList();
        assertThat(entries).singleElement().asString().startsWith("live fixture getpid ");
    }

    @BpfTest("junit/live.bpf.o")
    static class Hooks {
        @Test @RequiresHook(Hook.KPROBE) void kprobe() { }
        @Test @RequiresHook(Hook.TRACEPOINT) void tracepoint() { }
    }

    @Test
    void requiresHookSkipsWithTheProbedReason() {
        EngineExecutionResults r = Kit.run(Hooks.class, Map.of());
        if (Hook.KPROBE.isAvailable()) {
            r.testEvents().assertStatistics(s -> s.succeeded(2).skipped(0));
        } else {
            r.testEvents().assertStatistics(s -> s.succeeded(1).skipped(1));
            r.testEvents().assertThatEvents().haveExactly(1, event(test("kprobe"),
                    skippedWithReason(Hook.KPROBE.unavailableReason().orElseThrow())));
            assertThat(Hook.KPROBE.unavailableReason().orElseThrow()).contains("kprobe");
        }
    }
}

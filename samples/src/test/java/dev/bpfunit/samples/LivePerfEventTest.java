package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.Hook;
import dev.bpfunit.Triggers;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import org.junit.jupiter.api.Test;

/** A perf_event program sampling cpu-clock on every CPU while the test keeps a CPU busy. */
@BpfTest("bpf/live_perf_event.bpf.o")
@RequiresHook(Hook.PERF_EVENT)
class LivePerfEventTest {

    @Test
    void samplesTheTestWhileItRuns(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            obj.program("on_sample").attachCpuClock(1_000_000);    // a sample every 1 ms of CPU time
            BpfMap samples = obj.map("samples");
            long deadline = System.nanoTime() + 5_000_000_000L;    // bounded: at most 5 s of spinning
            long spin = 0;
            while (samples.sumPerCpu(0) < 10 && System.nanoTime() < deadline) {
                for (int i = 0; i < 1_000_000; i++) {
                    spin += i ^ spin;
                }
            }
            assertThat(samples.sumPerCpu(0)).as("samples after spinning (%d)", spin).isGreaterThanOrEqualTo(10);
        }
    }
}

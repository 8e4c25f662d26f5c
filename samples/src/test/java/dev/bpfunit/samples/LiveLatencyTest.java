package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.BpfStats;
import dev.bpfunit.Hook;
import dev.bpfunit.ProgramInfo;
import dev.bpfunit.Triggers;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The run statistics of an attached program (BPF_ENABLE_STATS, held only for the test): the average time per run
 * bpfunit reads agrees with what {@code bpftool prog show} prints for the same program.
 */
@BpfTest("bpf/live_tracepoint.bpf.o")
@RequiresHook(Hook.TRACEPOINT)
class LiveLatencyTest {

    // snippet:stats
    @Test
    @ResourceLock(value = BpfTest.BPF_STATS, mode = ResourceAccessMode.READ)   // shared with other tests enabling them
    void averageRunTimeOfAnAttachedProgram(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load();
             BpfStats stats = BpfStats.enable()) {              // run_cnt/run_time_ns counted until closed
            BpfProgram counter = obj.program("count_openat");
            counter.attach();
            Triggers.openat(Path.of("/etc/hostname"), 2000);

            assertThat(counter.info()).hasRunAtLeast(2000)
                    .hasAverageNsPerRunBelow(1_000_000);          // a generous budget: 1 ms per openat
        }
    }
    // end:stats

    @Test
    @ResourceLock(value = BpfTest.BPF_STATS, mode = ResourceAccessMode.READ)
    void agreesWithBpftool(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load();
             BpfStats stats = BpfStats.enable()) {
            BpfProgram counter = obj.program("count_openat");
            counter.attach();
            Triggers.openat(Path.of("/etc/hostname"), 2000);

            ProgramInfo before = counter.info();
            JsonNode bpftool = Bpftool.showId("prog", before.id());
            ProgramInfo after = counter.info();
            long runCnt = bpftool.get("run_cnt").asLong();
            long runTimeNs = bpftool.get("run_time_ns").asLong();

            // the program keeps running (every process's openat, bpftool's own): bpftool's figures lie between ours
            assertThat(runCnt).isBetween(before.runCnt(), after.runCnt());
            assertThat(runTimeNs).isBetween(before.runTimeNs(), after.runTimeNs());
            // bpftool's own start (its openat calls) ran the program just before it read: compare with after
            assertThat((double) runTimeNs / runCnt).isCloseTo(after.averageRunTimeNs().orElseThrow(),
                    withinPercentage(10));
        }
    }

    @Test
    @ResourceLock(BpfTest.BPF_STATS)   // checks that nobody holds them: alone, also under JUnit's parallel mode
    void statisticsAreHeldOnlyWhileSomeoneNeedsThem() {
        assertThat(BpfStats.enabled()).isFalse();
        try (BpfStats first = BpfStats.enable()) {
            try (BpfStats second = BpfStats.enable()) {
                assertThat(BpfStats.enabled()).isTrue();
            }
            assertThat(BpfStats.enabled()).as("still held by the first").isTrue();
        }
        assertThat(BpfStats.enabled()).isFalse();
    }
}

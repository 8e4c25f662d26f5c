package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Hook;
import dev.bpfunit.Link;
import dev.bpfunit.ProgramInfo;
import dev.bpfunit.Triggers;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** Tracepoint, raw tracepoint and tp_btf programs attached in the live kernel, fired by the test's system calls. */
@BpfTest("bpf/live_tracepoint.bpf.o")
@RequiresHook({Hook.TRACEPOINT, Hook.RAW_TRACEPOINT})
// its programs count the syscalls of every thread of this JVM (filter_pid is the process's): in JUnit's parallel
// mode another test's getpid() still in the program when the links closed counted "after detach"
@Isolated("counts every getpid() of this JVM, and checks that the count stops when the links close")
class LiveTracepointTest {

    private static final Path FILE = Path.of("/etc/hostname");

    // snippet:filterPid
    @Test
    void countsOnlyTheTestsOwnOpenatCalls(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {   // FILTER_PID, before load
            Link link = obj.program("count_openat").attach();   // SEC("tp/syscalls/sys_enter_openat")
            BpfMap calls = obj.map("openat_calls");           // per-CPU hash: thread id -> calls

            Triggers.Finished child = Triggers.run(Duration.ofSeconds(10), "cat", FILE.toString());
            long before = calls.sumPerCpu(Triggers.tid());   // starting it opened files in this thread too
            Triggers.openat(FILE, 5);                        // five openat(2) in this thread
            link.close();                                     // detached: nothing more is counted

            assertThat(calls.sumPerCpu(Triggers.tid()) - before).isEqualTo(5);
            assertThat(child.exitCode()).isZero();
            assertThat(calls.sumPerCpu((int) child.pid())).isZero();   // another process: filtered out
        }
    }
    // end:filterPid

    @Test
    void withoutTheFilterTheChildIsCountedToo(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", 0).load()) {
            obj.program("count_openat").attach();
            Triggers.Finished child = Triggers.run(Duration.ofSeconds(10), "cat", FILE.toString());
            assertThat(child.exitCode()).isZero();
            assertThat(obj.map("openat_calls").sumPerCpu((int) child.pid())).isPositive();
        }
    }

    @Test
    void attachAllAttachesEveryProgramItsSectionNames(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            Triggers.getpid();
            List<Link> links = obj.attachAll();
            assertThat(links).extracting(Link::target).containsExactly("tracepoint syscalls:sys_enter_openat",
                    "raw tracepoint sys_enter", "tp_btf/sys_enter");
            for (int i = 0; i < 3; i++) {
                Triggers.getpid();
            }
            assertThat(obj.globals().get("raw_getpid_calls").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(obj.globals().get("btf_getpid_calls").asLong()).isGreaterThanOrEqualTo(3);

            links.forEach(Link::close);
            long raw = obj.globals().get("raw_getpid_calls").asLong();
            Triggers.getpid();
            assertThat(obj.globals().get("raw_getpid_calls").asLong()).as("after detach").isEqualTo(raw);
            assertThat(obj.links()).isEmpty();
        }
    }

    @Test
    void anExplicitTargetOverridesTheSection(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            BpfProgram counter = obj.program("count_openat");
            // the same program on another syscall's tracepoint: it counts getpid calls now
            Link link = counter.attachTracepoint("syscalls", "sys_enter_getpid");
            assertThat(link.target()).isEqualTo("tracepoint syscalls:sys_enter_getpid");
            Triggers.getpid();
            Triggers.getpid();
            link.close();
            assertThat(obj.map("openat_calls").sumPerCpu(Triggers.tid())).isEqualTo(2);
        }
    }

    @Test
    void aMissingTracepointSaysWhatExists(BpfObjectLoader loader) {
        try (BpfObject obj = loader.load()) {
            assertThatThrownBy(() -> obj.program("count_openat").attachTracepoint("syscalls", "sys_enter_nothing"))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("tracepoint syscalls:sys_enter_nothing")
                    .hasMessageContaining("category 'syscalls' has no tracepoint 'sys_enter_nothing'");
            assertThatThrownBy(() -> obj.program("count_openat").attachRawTracepoint("sys_enter"))
                    .hasMessageContaining("is a TRACEPOINT program: it cannot be attached to a raw tracepoint");
        }
    }

    @Test
    void infoShowsWhatBpftoolShows(BpfObjectLoader loader) {
        Instant before = Instant.now().minusSeconds(2);
        try (BpfObject obj = loader.load()) {
            BpfProgram counter = obj.program("count_openat");
            ProgramInfo info = counter.info();
            JsonNode bpftool = Bpftool.showId("prog", info.id());

            assertThat(info.tag()).isEqualTo(bpftool.get("tag").asText()).hasSize(16);
            assertThat(info.name()).isEqualTo(bpftool.get("name").asText());
            assertThat(info.type().name().toLowerCase()).isEqualTo(bpftool.get("type").asText());
            assertThat(info.xlatedProgLen()).isEqualTo(bpftool.get("bytes_xlated").asInt());
            assertThat(info.jitedProgLen()).isEqualTo(bpftool.path("bytes_jited").asInt(0));
            assertThat(info.btfId()).isPositive().isEqualTo(bpftool.get("btf_id").asInt());
            List<Integer> mapIds = new ArrayList<>();
            bpftool.get("map_ids").forEach(id -> mapIds.add(id.asInt()));
            assertThat(java.util.Arrays.stream(info.mapIds()).boxed().toList()).containsExactlyInAnyOrderElementsOf(mapIds)
                    .contains(obj.map("openat_calls").info().id());
            assertThat(info.loadTime()).isBetween(before, Instant.now().plusSeconds(2));
            assertThat(Instant.ofEpochSecond(bpftool.get("loaded_at").asLong()))
                    .isBetween(info.loadTime().minusSeconds(2), info.loadTime().plusSeconds(2));
        }
    }

    @Test
    void closingTheObjectLeavesNoProgramOrLinkBehind(BpfObjectLoader loader) {
        int progId;
        List<Integer> linkIds = new ArrayList<>();
        try (BpfObject obj = loader.load()) {
            progId = obj.program("raw_getpid").info().id();
            for (Link l : obj.attachAll()) {
                l.id().ifPresent(linkIds::add);
            }
            assertThat(linkIds).hasSize(3);
            assertThat(Bpftool.exists("link", linkIds.get(0))).isTrue();
        }
        assertThat(Bpftool.exists("prog", progId)).as("program %d after close", progId).isFalse();
        for (int id : linkIds) {
            assertThat(Bpftool.exists("link", id)).as("link %d after close", id).isFalse();
        }
    }
}

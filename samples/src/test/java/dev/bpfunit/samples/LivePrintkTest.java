package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.Hook;
import dev.bpfunit.TraceLog;
import dev.bpfunit.Triggers;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** bpf_printk output read back from the trace buffer, only the test's own lines, and published in its report. */
@BpfTest("bpf/live_printk.bpf.o")
@RequiresHook(Hook.TRACEPOINT)
class LivePrintkTest {

    // snippet:printk
    @Test
    void printsTheCallingThread(BpfObjectLoader loader, TraceLog trace) {   // published as report entry bpf_printk
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            obj.program("printk_getpid").attach();             // SEC("tp/syscalls/sys_enter_getpid")
            Triggers.getpid();

            assertThat(trace.await("bpfunit getpid from " + Triggers.tid(), Duration.ofSeconds(2))).hasSize(1);
        }
    }
    // end:printk

    @Test
    void anotherProcesssLinesAreNotTheTests(BpfObjectLoader loader, TraceLog trace) {
        try (BpfObject obj = loader.global("filter_pid", 0).load()) {
            obj.program("printk_getpid").attach();
            Triggers.getpid();
            trace.await("bpfunit getpid from " + Triggers.tid(), Duration.ofSeconds(2));
            // every line the log kept came from this JVM's threads, whatever else printed meanwhile
            assertThat(trace.lines()).allSatisfy(l -> assertThat(java.nio.file.Path.of("/proc/self/task/" + l.pid()))
                    .exists());
        }
    }
}

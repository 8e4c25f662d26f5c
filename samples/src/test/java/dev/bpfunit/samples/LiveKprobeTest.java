package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.Hook;
import dev.bpfunit.Link;
import dev.bpfunit.Triggers;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A kprobe and a kretprobe on do_sys_openat2. Skipped, with the reason, on a kernel without CONFIG_KPROBES (the CI
 * machine's 6.18); runs in Debian's 6.1 and 6.12 guests of the kernel matrix.
 */
// snippet:kprobe
@BpfTest("bpf/live_kprobe.bpf.o")
@RequiresHook(Hook.KPROBE)      // "kernel 6.18... has no kprobe PMU ...: built without CONFIG_KPROBES"
class LiveKprobeTest {

    @Test
    void countsTheTestsOpenatCallsInTheKernel(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            assertThat(obj.attachAll()).extracting(Link::target)
                    .containsExactly("kprobe do_sys_openat2", "kretprobe do_sys_openat2");
            Triggers.openat(Path.of("/etc/hostname"), 3);
            assertThat(obj.globals().get("entries").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(obj.globals().get("returns").asLong()).isGreaterThanOrEqualTo(3);
        }
    }
}
// end:kprobe

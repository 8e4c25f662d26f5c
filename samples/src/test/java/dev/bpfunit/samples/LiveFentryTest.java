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
 * fentry and fexit on do_sys_openat2 through BPF trampolines. Skipped, with the reason, where the kernel refuses
 * trampolines (the CI machine's 6.18 answers EPERM); runs in Debian's 6.1 and 6.12 guests.
 */
@BpfTest("bpf/live_fentry.bpf.o")
@RequiresHook(Hook.FENTRY)
class LiveFentryTest {

    @Test
    void countsEntriesAndSuccessfulOpens(BpfObjectLoader loader) {
        try (BpfObject obj = loader.global("filter_pid", Triggers.pid()).load()) {
            assertThat(obj.attachAll()).extracting(Link::target)
                    .containsExactly("fentry/do_sys_openat2", "fexit/do_sys_openat2");
            Triggers.openat(Path.of("/etc/hostname"), 3);
            Triggers.openat(Path.of("/nonexistent/bpfunit"));
            assertThat(obj.globals().get("entries").asLong()).isGreaterThanOrEqualTo(4);
            assertThat(obj.globals().get("opened").asLong()).isGreaterThanOrEqualTo(3)
                    .isLessThan(obj.globals().get("entries").asLong());
        }
    }
}

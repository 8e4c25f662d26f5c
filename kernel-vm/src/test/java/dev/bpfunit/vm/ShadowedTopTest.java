package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which host directories the guest's own /tmp and /run tmpfs would hide. */
class ShadowedTopTest {

    @Test
    void aTreeUnderTmpIsSharedFromItsTopDirectory() {
        assertThat(VmRunner.shadowedTop(Path.of("/tmp/ci-clone/kernel-vm"))).contains(Path.of("/tmp/ci-clone"));
        assertThat(VmRunner.shadowedTop(Path.of("/run/user/0/x"))).contains(Path.of("/run/user"));
        assertThat(VmRunner.shadowedTop(Path.of("/tmp/a"))).contains(Path.of("/tmp/a"));
    }

    @Test
    void otherPathsAreVisibleThroughTheHostRoot() {
        assertThat(VmRunner.shadowedTop(Path.of("/work/main"))).isEmpty();
        assertThat(VmRunner.shadowedTop(Path.of("/tmp"))).isEmpty();
        assertThat(VmRunner.shadowedTop(Path.of("/tmpfoo/x"))).isEmpty();
    }
}

package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AcceleratorTest {
    @Test
    void kvmOnlyWhenItsProbePassedFasterThanTcg() {
        Optional<Duration> fast = Optional.of(Duration.ofMillis(80));
        Optional<Duration> slow = Optional.of(Duration.ofMillis(4500)); // a sandbox whose every VM exit is slow
        Optional<Duration> tcg = Optional.of(Duration.ofMillis(300));
        assertThat(Accelerator.choose(fast, tcg)).isEqualTo(Accelerator.KVM);
        assertThat(Accelerator.choose(slow, tcg)).isEqualTo(Accelerator.TCG);
        assertThat(Accelerator.choose(Optional.empty(), tcg)).isEqualTo(Accelerator.TCG);
        assertThat(Accelerator.choose(fast, Optional.empty())).isEqualTo(Accelerator.KVM);
        assertThat(Accelerator.choose(Optional.empty(), Optional.empty())).isEqualTo(Accelerator.TCG);
    }

    @Test
    void thePropertyOverridesTheProbe() {
        String before = System.getProperty(Accelerator.PROPERTY);
        try {
            System.setProperty(Accelerator.PROPERTY, "TCG");
            assertThat(Accelerator.detect(Path.of("/nonexistent/qemu"))).isEqualTo(Accelerator.TCG);
            System.setProperty(Accelerator.PROPERTY, "kvm");
            assertThat(Accelerator.detect(Path.of("/nonexistent/qemu"))).isEqualTo(Accelerator.KVM);
            System.setProperty(Accelerator.PROPERTY, "hvf");
            assertThatThrownBy(() -> Accelerator.detect(Path.of("/nonexistent/qemu")))
                    .isInstanceOf(VmException.class)
                    .hasMessageContaining(Accelerator.PROPERTY).hasMessageContaining("kvm or tcg");
        } finally {
            if (before == null) {
                System.clearProperty(Accelerator.PROPERTY);
            } else {
                System.setProperty(Accelerator.PROPERTY, before);
            }
        }
    }

    @Test
    void tcgProbePassesWithQemu() {
        Path qemu = HostTools.onPath("qemu-system-x86_64").orElseThrow();
        assertThat(Accelerator.probe(qemu, Accelerator.TCG)).isPresent();
    }
}

package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real containers on the local Docker daemon from the host-root image (imported on first use). */
class ContainerRunnerTest {
    private final ContainerRunner runner = new ContainerRunner();
    private final List<String> output = new CopyOnWriteArrayList<>();

    /** Every run removes its container, whatever happened. */
    @AfterEach
    void noContainerLeft() throws Exception {
        try (var docker = DockerDaemon.fromEnvironment().connect()) {
            assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of("dev.bpfunit.vm")).exec())
                    .isEmpty();
        }
    }

    @Test
    void runsUnameAndIdAsRootOnTheHostKernel(@TempDir Path work) throws Exception {
        ContainerSpec spec = ContainerSpec.of(List.of("sh", "-c", "uname -r; id -u; pwd; echo out > f.txt; exit 4"))
                .withWorkingDir(work).withWritableDir(work).withTimeout(Duration.ofMinutes(2));

        VmResult result = runner.run(spec, output::add);

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.EXITED);
        assertThat(result.exitCode()).isEqualTo(4);
        String hostRelease = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        assertThat(output).containsExactly(hostRelease, "0", work.toString());
        assertThat(Files.readString(work.resolve("f.txt"))).isEqualTo("out\n");
    }

    /**
     * bpffs is mounted, a map can be created and pinned, programs listed. (Docker 20.10's "ALL" stops at
     * CAP_SYS_RESOURCE..CAP_AUDIT_READ and lacks CAP_BPF and CAP_PERFMON; the kernel accepts CAP_SYS_ADMIN instead.)
     */
    @Test
    void bpfWorksInside() {
        VmResult result = runner.run(ContainerSpec.of(List.of("sh", "-c",
                "grep -c ' /sys/fs/bpf bpf ' /proc/self/mounts;"
                        + " bpftool map create /sys/fs/bpf/ctprobe type hash key 4 value 4 entries 8 name ctprobe"
                        + " && bpftool map show pinned /sys/fs/bpf/ctprobe && rm /sys/fs/bpf/ctprobe"
                        + " && bpftool prog show > /dev/null && echo listed"))
                .withTimeout(Duration.ofMinutes(2)), output::add);

        assertThat(result.succeeded()).as(result.describe()).isTrue();
        assertThat(output.get(0)).isEqualTo("1");
        assertThat(output).anyMatch(l -> l.matches("\\d+: hash\\s+name ctprobe\\s+flags 0x0"));
        assertThat(output).endsWith("listed");
    }

    @Test
    void reportsAHangAsATimeoutAndRemovesTheContainer() {
        VmResult result = runner.run(ContainerSpec.of(List.of("sleep", "1000")).withTimeout(Duration.ofSeconds(3)));

        assertThat(result.outcome()).as(result.describe()).isEqualTo(VmResult.Outcome.TIMEOUT);
        assertThat(result.detail()).contains("no result within 3 s");
    }

    @Test
    void missingImageIsNamed() {
        assertThatThrownBy(() -> runner.run(ContainerSpec.of(List.of("true")).withImage("bpfunit-no-such-image:1")))
                .isInstanceOf(VmException.class).hasMessageContaining("bpfunit-no-such-image:1")
                .hasMessageContaining("never pulled");
    }
}

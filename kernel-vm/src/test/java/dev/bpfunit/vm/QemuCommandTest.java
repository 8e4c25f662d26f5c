package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandTest {
    private static final List<QemuCommand.Share> SHARES = List.of(
            new QemuCommand.Share("hostroot", Path.of("/"), true),
            new QemuCommand.Share("bpfunit", Path.of("/tmp/run"), false));

    @Test
    void buildsTheCommandLine() {
        QemuCommand command = new QemuCommand(Path.of("/usr/bin/qemu-system-x86_64"), Accelerator.TCG, 2048, 2,
                Path.of("/k/vmlinuz"), Path.of("/tmp/run/initrd.gz"), "console=ttyS0", SHARES);

        assertThat(command.arguments()).containsExactly(
                "/usr/bin/qemu-system-x86_64", "-accel", "tcg,thread=single", "-cpu", "max", "-m", "2048M", "-smp", "2",
                "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot",
                "-kernel", "/k/vmlinuz", "-initrd", "/tmp/run/initrd.gz", "-append", "console=ttyS0",
                "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
                "-virtfs", "local,path=/tmp/run,mount_tag=bpfunit,security_model=none,multidevs=remap");
    }

    /** One host thread runs all of a TCG guest's vCPUs (cross-CPU code changes were missed with one per vCPU). */
    @Test
    void tcgRunsSeveralCpusOnOneThreadAndKvmEachOnItsOwn() {
        assertThat(new QemuCommand(Path.of("qemu"), Accelerator.TCG, 512, 1, Path.of("k"), Path.of("i"), "",
                List.of()).arguments()).containsSubsequence("-accel", "tcg", "-cpu");
        assertThat(new QemuCommand(Path.of("qemu"), Accelerator.TCG, 512, 4, Path.of("k"), Path.of("i"), "",
                List.of()).arguments()).containsSubsequence("-accel", "tcg,thread=single", "-cpu");
        assertThat(new QemuCommand(Path.of("qemu"), Accelerator.KVM, 512, 4, Path.of("k"), Path.of("i"), "",
                List.of()).arguments()).containsSubsequence("-accel", "kvm", "-cpu");
    }

    @Test
    void kvmUsesTheHostCpu() {
        QemuCommand command = new QemuCommand(Path.of("qemu"), Accelerator.KVM, 512, 1, Path.of("k"),
                Path.of("i"), "", List.of());
        assertThat(command.arguments()).containsSubsequence("-accel", "kvm", "-cpu", "host", "-m", "512M");
    }

    @Test
    void defaultKernelCommandLineUsesTheSerialConsoleAndExitsOnPanic() {
        assertThat(QemuCommand.defaultAppend(false)).contains("console=ttyS0", "panic=-1", "quiet");
        assertThat(QemuCommand.defaultAppend(true)).contains("console=ttyS0", "panic=-1").doesNotContain("quiet");
    }

    @Test
    void kernelCommandLineSkipsWhatCostsSecondsUnderTcgButKeepsAcpiTimers() {
        assertThat(QemuCommand.defaultAppend(false).split(" "))
                .contains("acpi=noirq", "cryptomgr.notests", "8250.nr_uarts=1", "tsc=reliable")
                .doesNotContain("acpi=off");
        assertThat(QemuCommand.append(false, " lpj=10399992 initcall_debug "))
                .startsWith(QemuCommand.defaultAppend(false)).endsWith(" lpj=10399992 initcall_debug");
        assertThat(QemuCommand.append(true, "")).isEqualTo(QemuCommand.defaultAppend(true));
    }

    @Test
    void rejectsBadSharesAndSizes() {
        assertThatThrownBy(() -> new QemuCommand.Share("has space", Path.of("/"), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has space");
        assertThatThrownBy(() -> new QemuCommand.Share("a".repeat(32), Path.of("/"), true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QemuCommand.Share("t", Path.of("/tmp/a,b"), false))
                .isInstanceOf(VmException.class).hasMessageContaining("comma");
        assertThatThrownBy(() -> new QemuCommand(Path.of("q"), Accelerator.TCG, 2048, 2, Path.of("k"), Path.of("i"),
                "", List.of(SHARES.get(0), SHARES.get(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new QemuCommand(Path.of("q"), Accelerator.TCG, 32, 2, Path.of("k"), Path.of("i"),
                "", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 MiB");
    }
}

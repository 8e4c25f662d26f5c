package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmSpecTest {
    @TempDir
    Path dir;

    private KernelImage kernel() throws Exception {
        Path vmlinuz = dir.resolve("vmlinuz");
        if (!Files.exists(vmlinuz)) {
            Files.createFile(vmlinuz);
        }
        return KernelImage.of(vmlinuz);
    }

    @Test
    void parsesSizesAndDurations() {
        assertThat(VmSpec.parseMemoryMiB("2G")).isEqualTo(2048);
        assertThat(VmSpec.parseMemoryMiB("512M")).isEqualTo(512);
        assertThat(VmSpec.parseMemoryMiB("1GiB")).isEqualTo(1024);
        assertThat(VmSpec.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(VmSpec.parseDuration("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(VmSpec.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> VmSpec.parseMemoryMiB("2T")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'2T'");
        assertThatThrownBy(() -> VmSpec.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'soon'");
    }

    @Test
    void defaultsAndValidation() throws Exception {
        VmSpec spec = VmSpec.of(kernel(), List.of("true"));
        assertThat(spec.memoryMiB()).isEqualTo(2048);
        assertThat(spec.cpus()).isEqualTo(2);
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(spec.environment()).containsEntry("PATH", VmSpec.DEFAULT_PATH);
        assertThatThrownBy(() -> VmSpec.of(kernel(), List.of())).hasMessageContaining("command is empty");
        assertThatThrownBy(() -> spec.withEnv("A-B", "x")).hasMessageContaining("'A-B'");
        assertThatThrownBy(() -> spec.withTimeout(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> spec.withCpus(0)).hasMessageContaining("cpus 0");
    }

    @Test
    void missingQemuIsNamedWithItsPackage() throws Exception {
        VmRunner runner = new VmRunner(dir.resolve("qemu-system-x86_64"), Path.of("/bin/busybox"));
        assertThatThrownBy(() -> runner.run(VmSpec.of(kernel(), List.of("true"))))
                .isInstanceOf(VmException.class).hasMessageContaining("qemu-system-x86_64 is not an executable")
                .hasMessageContaining("qemu-system-x86");
    }

    @Test
    void missingWritableDirectoryIsNamed() throws Exception {
        VmSpec spec = VmSpec.of(kernel(), List.of("true")).withWritableDir(dir.resolve("results"));
        assertThatThrownBy(() -> new VmRunner().run(spec))
                .isInstanceOf(VmException.class).hasMessageContaining(dir.resolve("results") + " for the VM does not exist");
    }

    @Test
    void missingKernelImageIsNamed() {
        assertThatThrownBy(() -> KernelImage.of(dir.resolve("nope")))
                .isInstanceOf(VmException.class).hasMessageContaining("nope").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> KernelImage.parse(dir.resolve("nope").toString()))
                .isInstanceOf(VmException.class).hasMessageContaining("Debian kernel version");
    }

    /** The guest runs this script with the host's own /bin/sh, so running it here checks quoting for real. */
    @Test
    void commandScriptKeepsArgumentsEnvironmentAndWorkingDirectory() throws Exception {
        Path work = Files.createDirectory(dir.resolve("it's here"));
        VmSpec spec = VmSpec.of(kernel(), List.of("sh", "-c", "pwd; printf '[%s]' \"$@\"; echo; echo \"$V|$PATH|$HOME\"",
                        "sh", "a b", "it's", "$HOME", "\"q\""))
                .withWorkingDir(work)
                .withEnvironment(Map.of("V", "x 'y' $z", "PATH", "/usr/bin:/bin"));
        Path script = dir.resolve("command.sh");
        Files.writeString(script, VmRunner.commandScript(spec));

        Process p = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo(work + "\n[a b][it's][$HOME][\"q\"]\nx 'y' $z|/usr/bin:/bin|\n");
    }

    @Test
    void commandScriptFailsWith125ForAMissingWorkingDirectory() throws Exception {
        VmSpec spec = VmSpec.of(kernel(), List.of("true")).withWorkingDir(dir.resolve("missing"));
        Path script = dir.resolve("command.sh");
        Files.writeString(script, VmRunner.commandScript(spec));
        Process p = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(125);
        assertThat(out).contains("working directory " + dir.resolve("missing") + " does not exist in the guest");
    }
}

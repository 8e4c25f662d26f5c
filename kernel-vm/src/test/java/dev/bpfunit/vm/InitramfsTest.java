package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitramfsTest {

    @Test
    void writesNewcEntriesWithParentsModesDevicesAndTrailer() {
        byte[] archive = Initramfs.builder()
                .file("/bin/busybox", new byte[] {1, 2, 3, 4, 5}, 0755)
                .symlink("bin/sh", "busybox")
                .charDevice("dev/console", 5, 1, 0600)
                .file("lib/modules/9p.ko", "x".repeat(7).getBytes(StandardCharsets.US_ASCII), 0644)
                .build().toCpio();

        List<CpioReader.Member> members = CpioReader.read(archive);
        Map<String, CpioReader.Member> byName = members.stream()
                .collect(Collectors.toMap(CpioReader.Member::name, Function.identity()));

        assertThat(members).extracting(CpioReader.Member::name)
                .containsExactly("bin", "bin/busybox", "bin/sh", "dev", "dev/console", "lib", "lib/modules",
                        "lib/modules/9p.ko");
        assertThat(byName.get("bin").mode()).isEqualTo(0040755);
        assertThat(byName.get("bin").nlink()).isEqualTo(2);
        assertThat(byName.get("bin/busybox").mode()).isEqualTo(0100755);
        assertThat(byName.get("bin/busybox").data()).containsExactly(1, 2, 3, 4, 5);
        assertThat(byName.get("bin/sh").mode()).isEqualTo(0120777);
        assertThat(new String(byName.get("bin/sh").data(), StandardCharsets.UTF_8)).isEqualTo("busybox");
        assertThat(byName.get("dev/console").mode()).isEqualTo(0020600);
        assertThat(byName.get("dev/console").rdevMajor()).isEqualTo(5);
        assertThat(byName.get("dev/console").rdevMinor()).isEqualTo(1);
        assertThat(byName.get("lib/modules/9p.ko").data()).hasSize(7);
    }

    @Test
    void sameContentGivesSameBytes() {
        Initramfs.Builder a = Initramfs.builder().file("init", new byte[] {'#', '!'}, 0755);
        Initramfs.Builder b = Initramfs.builder().file("init", new byte[] {'#', '!'}, 0755);
        assertThat(a.build().toCpio()).isEqualTo(b.build().toCpio());
    }

    @Test
    void uncompressedArchiveIsTheCpio(@TempDir Path dir) throws Exception {
        Initramfs initramfs = Initramfs.builder().file("init", "echo hi\n".getBytes(StandardCharsets.UTF_8), 0755)
                .build();
        Path file = dir.resolve("initrd.cpio");
        initramfs.write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(initramfs.toCpio());
    }

    @Test
    void gzippedArchiveUnpacksToTheCpio(@TempDir Path dir) throws Exception {
        Initramfs initramfs = Initramfs.builder().file("init", "echo hi\n".getBytes(StandardCharsets.UTF_8), 0755)
                .build();
        Path file = dir.resolve("initrd.gz");
        initramfs.writeGzipped(file);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            assertThat(in.readAllBytes()).isEqualTo(initramfs.toCpio());
        }
    }

    @Test
    void rejectsPathsOutsideTheArchiveAndFilesUsedAsDirectories() {
        assertThatThrownBy(() -> Initramfs.builder().directory("a/../b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/../b");
        assertThatThrownBy(() -> Initramfs.builder().directory("/"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Initramfs.builder().file("init", new byte[0], 0755).file("init/x", new byte[0], 0644))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parent init is already a file");
    }

    @Test
    void guestInitramfsHoldsBusyboxConsoleAndInitWithoutPlaceholders() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        KernelImage kernel = KernelImage.of(Files.createTempFile("vmlinuz", ""));
        try {
            Initramfs initramfs = GuestInit.initramfs(kernel, busybox, List.of(), "loose");
            Map<String, CpioReader.Member> byName = CpioReader.read(initramfs.toCpio()).stream()
                    .collect(Collectors.toMap(CpioReader.Member::name, Function.identity()));
            assertThat(byName).containsKeys("bin/busybox", "init", "dev/console", "proc", "sys", "newroot");
            assertThat(byName.get("bin/busybox").data()).isEqualTo(Files.readAllBytes(busybox));
            String init = new String(byName.get("init").data(), StandardCharsets.UTF_8);
            assertThat(init).startsWith("#!/bin/busybox sh\n").doesNotContain("@")
                    .contains("cache=loose").contains("msize=512000").contains(GuestInit.START_MARKER);
        } finally {
            Files.deleteIfExists(kernel.vmlinuz());
        }
    }

    @Test
    void refusesADynamicallyLinkedBusybox() {
        assertThatThrownBy(() -> GuestInit.requireStaticBusybox(Path.of("/bin/ls")))
                .isInstanceOf(VmException.class).hasMessageContaining("dynamically linked")
                .hasMessageContaining("busybox-static");
    }
}

package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelModulesTest {
    @TempDir
    Path modules;

    /** A minimal ELF64 relocatable file with a .shstrtab and a .modinfo section, like a kernel module's. */
    static byte[] moduleElf(String... modinfo) {
        byte[] shstrtab = "\0.shstrtab\0.modinfo\0".getBytes(StandardCharsets.US_ASCII);
        byte[] info = (String.join("\0", modinfo) + "\0").getBytes(StandardCharsets.UTF_8);
        int shstrtabOff = 64;
        int infoOff = shstrtabOff + shstrtab.length;
        int shoff = (infoOff + info.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(0x10, (short) 1).putShort(0x12, (short) 0x3e).putInt(0x14, 1);
        b.putLong(0x28, shoff).putShort(0x34, (short) 64).putShort(0x3a, (short) 64)
                .putShort(0x3c, (short) 3).putShort(0x3e, (short) 1);
        b.put(shstrtabOff, shstrtab).put(infoOff, info);
        section(b, shoff + 64, 1, 3, shstrtabOff, shstrtab.length);
        section(b, shoff + 128, 11, 1, infoOff, info.length);
        return b.array();
    }

    private static void section(ByteBuffer b, int at, int name, int type, long offset, long size) {
        b.putInt(at, name).putInt(at + 4, type).putLong(at + 0x18, offset).putLong(at + 0x20, size);
    }

    private void module(String relative, byte[] elf) throws Exception {
        Path file = modules.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, elf);
    }

    @Test
    void readsDependsFromModinfo() {
        byte[] elf = moduleElf("license=GPL", "depends=9pnet,netfs", "name=9p");
        assertThat(KernelModules.dependsOf(elf, Path.of("9p.ko"))).containsExactly("9pnet", "netfs");
        assertThat(KernelModules.dependsOf(moduleElf("depends="), Path.of("netfs.ko"))).isEmpty();
    }

    @Test
    void ordersDependenciesFirstAndSkipsBuiltins() throws Exception {
        module("kernel/fs/9p/9p.ko", moduleElf("depends=9pnet,netfs,fscache"));
        module("kernel/net/9p/9pnet.ko", moduleElf("depends=netfs"));
        module("kernel/net/9p/9pnet_virtio.ko", moduleElf("depends=virtio,9pnet,virtio_ring"));
        module("kernel/fs/netfs/netfs.ko", moduleElf("depends="));
        module("kernel/fs/fscache/fscache.ko", moduleElf("depends=netfs"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(moduleElf("depends=virtio_ring"));
        }
        module("kernel/drivers/virtio/virtio.ko.gz", gz.toByteArray());
        module("kernel/drivers/virtio/virtio_ring.ko", moduleElf("depends="));
        Files.writeString(modules.resolve("modules.builtin"), "kernel/drivers/virtio/virtio_pci.ko\n");

        List<String> order = KernelModules.scan(modules).resolve(List.of("virtio-pci", "9pnet_virtio", "9p"))
                .stream().map(KernelModules.Module::name).toList();

        assertThat(order).containsExactly("virtio_ring", "virtio", "netfs", "9pnet", "9pnet_virtio", "fscache", "9p");
    }

    @Test
    void missingModuleNamesWhoNeedsIt() throws Exception {
        module("kernel/fs/9p/9p.ko", moduleElf("depends=9pnet"));
        assertThatThrownBy(() -> KernelModules.scan(modules).resolve(List.of("9p")))
                .isInstanceOf(VmException.class)
                .hasMessageContaining("kernel module 9pnet (needed by 9p) is neither built in nor present");
    }

    @Test
    void dependencyCycleIsReported() throws Exception {
        module("a.ko", moduleElf("depends=b"));
        module("b.ko", moduleElf("depends=a"));
        assertThatThrownBy(() -> KernelModules.scan(modules).resolve(List.of("a")))
                .isInstanceOf(VmException.class).hasMessageContaining("cycle: a -> b -> a");
    }

    @Test
    void notAnElfIsReported() throws Exception {
        module("bad.ko", "not an elf at all, just some text that is long enough to be read".getBytes());
        assertThatThrownBy(() -> KernelModules.scan(modules).resolve(List.of("bad")))
                .isInstanceOf(VmException.class).hasMessageContaining("bad.ko is not a 64-bit little-endian ELF");
    }

    @Test
    void aScanIsKeptUntilTheDirectoryOrItsBuiltinListChanges() throws Exception {
        module("kernel/fs/9p/9p.ko", moduleElf("depends="));
        Files.writeString(modules.resolve("modules.builtin"), "kernel/drivers/virtio/virtio_pci.ko\n");
        KernelModules first = KernelModules.scan(modules);

        assertThat(KernelModules.scan(modules)).isSameAs(first);

        Files.writeString(modules.resolve("modules.builtin"), "kernel/drivers/virtio/virtio_pci.ko\nkernel/fs/9p/9p.ko\n");
        KernelModules again = KernelModules.scan(modules);
        assertThat(again).isNotSameAs(first);
        assertThat(again.resolve(List.of("9p"))).isEmpty();          // built in now
        assertThat(first.resolve(List.of("9p"))).hasSize(1);
    }

    @Test
    void anXzModuleIsDecompressedOnceAndKeptByPathSizeAndTime(@TempDir Path cache) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(HostTools.onPath("xz").isPresent(), "xz is not on the PATH");
        byte[] elf = moduleElf("depends=", "name=nine");
        Path plain = modules.resolve("nine.ko");
        Files.write(plain, elf);
        Process xz = new ProcessBuilder("xz", "-k", plain.toString()).inheritIO().start();
        assertThat(xz.waitFor()).isZero();
        Files.delete(plain);
        Path compressed = modules.resolve("nine.ko.xz");

        assertThat(KernelModules.uncompressed(compressed, cache)).isEqualTo(elf);
        List<Path> kept;
        try (var files = Files.list(cache)) {
            kept = files.toList();
        }
        assertThat(kept).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).startsWith("nine-")
                .endsWith(".ko"));

        // the kept copy is what a second call reads (no xz): a different ELF put there is returned
        byte[] other = moduleElf("depends=", "name=other");
        Files.write(kept.get(0), other);
        assertThat(KernelModules.uncompressed(compressed, cache)).isEqualTo(other);

        // the module file changed: decompressed again
        Files.setLastModifiedTime(compressed, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(compressed).toMillis() - 60_000));
        assertThat(KernelModules.uncompressed(compressed, cache)).isEqualTo(elf);
        // and what is kept there but not an ELF is not used
        try (var files = Files.list(cache)) {
            for (Path p : files.toList()) {
                Files.writeString(p, "not an elf");
            }
        }
        assertThat(KernelModules.uncompressed(compressed, cache)).isEqualTo(elf);
    }
}

package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PvhKernelTest {
    /** An x86-64 ELF header with one PT_NOTE segment holding one note of {@code owner} and {@code type}. */
    static byte[] elfWithNote(String owner, int type) {
        byte[] name = (owner + "\0").getBytes(StandardCharsets.US_ASCII);
        int nameSize = (name.length + 3) & ~3;
        int noteSize = 12 + nameSize + 4;
        ByteBuffer elf = ByteBuffer.allocate(64 + 56 + noteSize).order(ByteOrder.LITTLE_ENDIAN);
        elf.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).putShort(0x12, (short) 0x3e);
        elf.putLong(0x20, 64).putShort(0x36, (short) 56).putShort(0x38, (short) 1);
        elf.putInt(64, 4).putLong(64 + 8, 120).putLong(64 + 32, noteSize);
        elf.putInt(120, name.length).putInt(124, 4).putInt(128, type);
        elf.put(132, name).putInt(132 + nameSize, 0x1000000);
        return elf.array();
    }

    /** A bzImage-shaped file: setup header (protocol 2.15, one setup sector) and {@code payload} after it. */
    static byte[] bzImage(byte[] payload) {
        ByteBuffer image = ByteBuffer.allocate(2 * 512 + 16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        image.put(0x1f1, (byte) 1).putInt(0x202, 0x53726448).putShort(0x206, (short) 0x20f);
        image.putInt(0x248, 16).putInt(0x24c, payload.length);
        image.put(2 * 512 + 16, payload);
        return image.array();
    }

    @Test
    void findsThePvhEntryNote() throws Exception {
        Path dir = Files.createTempDirectory("pvh-test");
        try {
            Path pvh = Files.write(dir.resolve("pvh"), elfWithNote("Xen", PvhKernel.XEN_ELFNOTE_PHYS32_ENTRY));
            Path otherNote = Files.write(dir.resolve("other"), elfWithNote("Xen", 17));
            Path gnu = Files.write(dir.resolve("gnu"), elfWithNote("GNU", PvhKernel.XEN_ELFNOTE_PHYS32_ENTRY));
            Path notElf = Files.write(dir.resolve("text"), "#!/bin/sh\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(PvhKernel.hasPvhEntry(pvh)).isTrue();
            assertThat(PvhKernel.hasPvhEntry(otherNote)).isFalse();
            assertThat(PvhKernel.hasPvhEntry(gnu)).isFalse();
            assertThat(PvhKernel.hasPvhEntry(notElf)).isFalse();
        } finally {
            FileTrees.deleteQuietly(dir);
        }
    }

    @Test
    void takesThePayloadOutOfTheSetupHeaderWithoutTheAppendedSize() {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x11, 0x22, 0x33, 0x44};
        Optional<PvhKernel.Payload> payload = PvhKernel.payload(bzImage(zstd));
        assertThat(payload).hasValueSatisfying(p -> {
            assertThat(p.format()).isEqualTo("zstd");
            assertThat(p.data()).hasSize(zstd.length - 4).startsWith(zstd[0], zstd[1], zstd[2], zstd[3]);
        });
        assertThat(PvhKernel.payload(new byte[4096])).isEmpty(); // no "HdrS"
        byte[] lz4 = {0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(PvhKernel.payload(bzImage(lz4))).isEmpty(); // a format the host does not decompress
        byte[] truncated = bzImage(zstd);
        assertThat(PvhKernel.payload(java.util.Arrays.copyOf(truncated, truncated.length - 8))).isEmpty();
    }

    @Test
    void extractsAGzipKernelOnceAndKeepsIt(@TempDir Path dir) throws Exception {
        byte[] elf = elfWithNote("Xen", PvhKernel.XEN_ELFNOTE_PHYS32_ENTRY);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(elf);
        }
        Path image = Files.write(dir.resolve("vmlinuz-test"), bzImage(gz.toByteArray()));
        Path cache = dir.resolve("cache");

        Optional<Path> vmlinux = PvhKernel.of(image, cache);

        assertThat(vmlinux).isPresent();
        assertThat(Files.readAllBytes(vmlinux.get())).isEqualTo(elf);
        assertThat(PvhKernel.of(image, cache)).isEqualTo(vmlinux);
        try (var files = Files.list(cache)) {
            assertThat(files).containsExactly(vmlinux.get()); // no temporary file left
        }
    }

    @Test
    void aKernelWithoutPvhEntryIsBootedAsItIs(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(elfWithNote("Xen", 17));
        }
        Path image = Files.write(dir.resolve("vmlinuz-nopvh"), bzImage(gz.toByteArray()));
        assertThat(PvhKernel.of(image, dir.resolve("cache"))).isEmpty();
        assertThat(PvhKernel.of(dir.resolve("missing"), dir.resolve("cache"))).isEmpty();
        try (var files = Files.list(dir.resolve("cache"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void debianKernelsHaveAPvhEntry(@TempDir Path dir) throws Exception {
        for (String version : new String[] {"6.1", "6.12"}) { // xz and zstd payloads
            KernelImage kernel = KernelImage.debian(version);
            Optional<Path> vmlinux = PvhKernel.of(kernel.vmlinuz(), dir);
            assertThat(vmlinux).as(version).isPresent();
            assertThat(PvhKernel.hasPvhEntry(vmlinux.get())).isTrue();
            assertThat(Files.size(vmlinux.get())).isGreaterThan(Files.size(kernel.vmlinuz()));
        }
    }
}

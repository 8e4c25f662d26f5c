package dev.bpfunit.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * The uncompressed kernel ELF ({@code vmlinux}) inside a {@code bzImage}, which QEMU boots through its PVH entry
 * point: no SeaBIOS boot of the real-mode setup code and, above all, no decompression of the kernel by the guest.
 * Under TCG that decompression is emulated instruction by instruction: Debian's xz-compressed 6.1 kernel took
 * 45 s to reach its root-mount panic as a {@code bzImage} and 20 s as a {@code vmlinux} (zstd 6.12: 27 s and
 * 11 s; a loaded 2-core machine). The host decompresses it once, with {@code xz} or {@code zstd} (gzip in Java),
 * and keeps it in {@code ~/.cache/bpfunit/vmlinux/} under a name made from the {@code bzImage}'s path, size and
 * modification time; written to a temporary file and moved into place, so two JVMs may extract at once.
 *
 * <p>A kernel without a PVH entry ({@code CONFIG_PVH}, a Xen ELF note of type 18), a payload in another format or
 * a missing decompressor gives {@link Optional#empty()}: the {@code bzImage} is booted as before.
 */
final class PvhKernel {
    /** System property: {@code false} boots the {@code bzImage} as it is. */
    static final String PROPERTY = "bpfunit.vm.pvh";
    /** {@code XEN_ELFNOTE_PHYS32_ENTRY}: the note QEMU looks for to boot an ELF kernel through PVH. */
    static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final long TOOL_TIMEOUT_SECONDS = 120;

    private PvhKernel() {
    }

    /** The directory extracted kernels are cached in. */
    static Path cacheDir() {
        return DebianKernels.userCacheDir().resolve("vmlinux");
    }

    /** The PVH-bootable {@code vmlinux} of {@code bzImage}, extracted and cached on first use; empty if none. */
    static Optional<Path> of(Path bzImage) {
        if (System.getProperty(PROPERTY, "true").trim().equalsIgnoreCase("false")) {
            return Optional.empty();
        }
        return of(bzImage, cacheDir());
    }

    /** {@link #of(Path)} with the given cache directory. */
    static Optional<Path> of(Path bzImage, Path cacheDir) {
        try {
            Path source = bzImage.toAbsolutePath().normalize();
            Path cached = cacheDir.resolve(source.getFileName() + "-" + CacheKeys.ofFile(source) + ".elf");
            if (Files.isRegularFile(cached) && hasPvhEntry(cached)) {
                return Optional.of(cached);
            }
            return extract(source, cached);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // the bzImage still boots, only slower
        }
    }

    private static Optional<Path> extract(Path bzImage, Path cached) throws IOException {
        Optional<Payload> payload = payload(Files.readAllBytes(bzImage));
        if (payload.isEmpty()) {
            return Optional.empty();
        }
        Files.createDirectories(cached.getParent());
        Path tmp = Files.createTempFile(cached.getParent(), ".extract-", ".tmp");
        Path compressed = Files.createTempFile(cached.getParent(), ".payload-", ".tmp");
        try {
            if (!decompress(payload.get(), compressed, tmp) || !hasPvhEntry(tmp)) {
                return Optional.empty();
            }
            Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Optional.of(cached);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(compressed);
        }
    }

    /** A bzImage's compressed payload and its format ({@code gzip}, {@code xz} or {@code zstd}). */
    record Payload(String format, byte[] data) {
    }

    /**
     * The compressed kernel in a {@code bzImage} (boot protocol 2.08 or later: {@code payload_offset} and
     * {@code payload_length} in the setup header), without the 4-byte size the kernel's build appends to xz and
     * zstd payloads; empty for anything else.
     */
    static Optional<Payload> payload(byte[] image) {
        ByteBuffer buf = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 0x250 || buf.getInt(0x202) != 0x53726448 /* "HdrS" */
                || Short.toUnsignedInt(buf.getShort(0x206)) < 0x208) {
            return Optional.empty();
        }
        int setupSects = Byte.toUnsignedInt(image[0x1f1]);
        long start = (long) ((setupSects == 0 ? 4 : setupSects) + 1) * 512 + Integer.toUnsignedLong(buf.getInt(0x248));
        long length = Integer.toUnsignedLong(buf.getInt(0x24c));
        if (length < 16 || start + length > image.length) {
            return Optional.empty();
        }
        byte[] data = Arrays.copyOfRange(image, (int) start, (int) (start + length));
        if (startsWith(data, GZIP)) {
            return Optional.of(new Payload("gzip", data));
        }
        if (startsWith(data, XZ)) {
            return Optional.of(new Payload("xz", Arrays.copyOf(data, data.length - 4)));
        }
        if (startsWith(data, ZSTD)) {
            return Optional.of(new Payload("zstd", Arrays.copyOf(data, data.length - 4)));
        }
        return Optional.empty();
    }

    private static boolean decompress(Payload payload, Path compressed, Path out) throws IOException {
        if (payload.format().equals("gzip")) {
            try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(payload.data()))) {
                Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        }
        List<String> command = payload.format().equals("xz")
                ? List.of("xz", "-dc", "--single-stream", compressed.toString())
                : List.of("zstd", "-dcq", compressed.toString());
        if (HostTools.onPath(command.get(0)).isEmpty()) {
            return false;
        }
        Files.write(compressed, payload.data());
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            return process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * Whether {@code file} is an x86-64 ELF with a {@code PT_NOTE} holding a Xen PVH entry note. Reads the ELF
     * header, the program headers and the note segments only (a kernel is 60 MB).
     */
    static boolean hasPvhEntry(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            ByteBuffer header = read(channel, 0, 64);
            if (header == null || header.getInt(0) != 0x464c457f || header.get(4) != 2
                    || header.getShort(0x12) != 0x3e) {
                return false;
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            if (phoff < 0 || phentsize < 56 || phoff + (long) phnum * phentsize > fileSize) {
                return false;
            }
            ByteBuffer phdrs = read(channel, phoff, phnum * phentsize);
            for (int i = 0; phdrs != null && i < phnum; i++) {
                int ph = i * phentsize;
                if (phdrs.getInt(ph) != 4) { // PT_NOTE
                    continue;
                }
                long offset = phdrs.getLong(ph + 8);
                long size = phdrs.getLong(ph + 32);
                if (offset < 0 || size < 0 || size > (1 << 20) || offset + size > fileSize) {
                    return false;
                }
                ByteBuffer notes = read(channel, offset, (int) size);
                if (notes != null && hasPvhNote(notes)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean hasPvhNote(ByteBuffer notes) {
        int end = notes.limit();
        for (long n = 0; n + 12 <= end; ) {
            int namesz = notes.getInt((int) n);
            int descsz = notes.getInt((int) n + 4);
            int type = notes.getInt((int) n + 8);
            long name = n + 12;
            if (namesz < 0 || descsz < 0 || name + namesz > end) {
                return false;
            }
            byte[] owner = new byte[Math.max(0, namesz - 1)];
            notes.get((int) name, owner);
            if (new String(owner, StandardCharsets.US_ASCII).equals("Xen") && type == XEN_ELFNOTE_PHYS32_ENTRY) {
                return true;
            }
            n = name + align4(namesz) + align4(descsz);
        }
        return false;
    }

    /** {@code length} bytes at {@code position}, little-endian, or null when the file ends before. */
    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (channel.read(buf, position + buf.position()) < 0) {
                return null;
            }
        }
        return buf.flip();
    }

    private static long align4(int n) {
        return (n + 3L) & ~3L;
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        return data.length >= prefix.length && Arrays.equals(data, 0, prefix.length, prefix, 0, prefix.length);
    }

}

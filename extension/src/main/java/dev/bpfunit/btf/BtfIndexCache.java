package dev.bpfunit.btf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Where a big BTF blob's types start and its name index, kept on disk between JVMs so that the first CO-RE load of
 * a JVM does not walk the kernel's 100 000-odd types (in a cold JVM that walk runs in the interpreter). Keyed by the
 * BTF's length and CRC32C, so a new kernel (or any other BTF) gets its own file; a file whose header, size or
 * payload CRC32C does not match is ignored and written anew. Files are written to a temporary name and moved into
 * place, so a reader never sees half of one. A cache that cannot be read or written is only slower.
 *
 * <p>The directory is the system property {@value #PROPERTY}, {@code false} to turn the cache off; by default
 * {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit/btf}.
 */
final class BtfIndexCache {

    /** The system property naming the cache directory, or {@code false} for no cache. */
    static final String PROPERTY = "bpfunit.btf.cache";
    /** BTF smaller than this is walked, not cached: object BTF and small modules cost less than a file. */
    static final int MIN_BYTES = 256 * 1024;

    private static final long MAGIC = 0x5842544655465042L;  // "BPFUBTFX" read little-endian
    private static final int VERSION = 1;
    private static final int HEADER = 32;

    /** A blob's type offsets and the arrays of its raw-name index. */
    record Index(int[] offsets, int[] heads, int[] next, int[] nameStart, int[] nameLength, int[] essentialLength) {
    }

    private BtfIndexCache() {
    }

    /** The cache directory, or empty when turned off. */
    static Optional<Path> directory() {
        String configured = System.getProperty(PROPERTY, "").strip();
        // "true" is the default place, not a directory named "true" in the working directory
        if (!configured.isEmpty() && !configured.equalsIgnoreCase("true")) {
            return configured.equalsIgnoreCase("false") ? Optional.empty() : Optional.of(Path.of(configured));
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        String home = System.getProperty("user.home");
        if ((xdg == null || xdg.isBlank()) && (home == null || home.isBlank())) {
            return Optional.empty();
        }
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".cache");
        return Optional.of(base.resolve("bpfunit").resolve("btf"));
    }

    /** The CRC32C of the whole blob: with its length, the cache key. */
    static int checksum(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length);
        return (int) crc.getValue();
    }

    /** The file for a blob of this length and checksum. */
    static Path file(Path dir, int length, int checksum) {
        return dir.resolve("btf-" + length + "-" + String.format("%08x", checksum) + ".idx");
    }

    /** The index kept for this blob, if a valid one is there. */
    static Optional<Index> read(Path file, int length, int checksum) {
        byte[] raw;
        try {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            raw = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        if (raw.length < HEADER) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(20);
        int h = b.getInt(24);
        if (b.getLong(0) != MAGIC || b.getInt(8) != VERSION || b.getInt(12) != length || b.getInt(16) != checksum
                || n <= 0 || h <= 0 || Integer.bitCount(h) != 1
                || raw.length != HEADER + 4L * (5L * n + h)) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(raw, HEADER, raw.length - HEADER);
        if ((int) crc.getValue() != b.getInt(28)) {
            return Optional.empty();
        }
        IntBuffer ints = ByteBuffer.wrap(raw, HEADER, raw.length - HEADER).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] offsets = new int[n];
        int[] heads = new int[h];
        int[] next = new int[n];
        int[] nameStart = new int[n];
        int[] nameLength = new int[n];
        int[] essentialLength = new int[n];
        ints.get(offsets).get(heads).get(next).get(nameStart).get(nameLength).get(essentialLength);
        return Optional.of(new Index(offsets, heads, next, nameStart, nameLength, essentialLength));
    }

    /** Keeps the index for this blob; a failure (a read-only home, a full disk) is ignored. */
    static void write(Path file, int length, int checksum, Index index) {
        int n = index.offsets().length;
        int h = index.heads().length;
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * (5 * n + h)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(length).putInt(checksum).putInt(n).putInt(h).putInt(0);
        IntBuffer ints = b.slice(HEADER, b.capacity() - HEADER).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        ints.put(index.offsets()).put(index.heads()).put(index.next()).put(index.nameStart()).put(index.nameLength())
                .put(index.essentialLength());
        byte[] raw = b.array();
        CRC32C crc = new CRC32C();
        crc.update(raw, HEADER, raw.length - HEADER);
        b.putInt(28, (int) crc.getValue());
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, raw);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            // only slower next time
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException | SecurityException ignored) {
                    // a stray temporary file; the next write makes another name
                }
            }
        }
    }
}

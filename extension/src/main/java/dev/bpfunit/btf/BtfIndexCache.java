package dev.bpfunit.btf;

import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Where a big BTF blob's types start and its name index, kept on disk between JVMs so that the first CO-RE load of
 * a JVM does not walk the kernel's 100 000-odd types (in a cold JVM that walk runs in the interpreter). Two kinds
 * of file:
 * <ul>
 *   <li>{@code btf-<length>-<crc32c>-v2.idx}, the index of any BTF blob, keyed by the blob's length and CRC32C, so a
 *       new kernel (or any other BTF) gets its own file;</li>
 *   <li>{@code vmlinux-<build id>-<length>-v2.idx}, the running kernel's: its index and a copy of its BTF, keyed by the
 *       kernel's GNU build id, so that a JVM finds both without reading {@code /sys/kernel/btf/vmlinux} (the kernel
 *       gives 4 KiB a read: 1,300 reads of a 5 MB BTF), its copy checked against the kernel's first and last page.</li>
 * </ul>
 * A file is mapped into memory: its pages are those of the page cache, with no copy into the heap (a young JVM's
 * heap pays a page fault for each new page); on 9p, NFS or SMB, where each mapped page is a request of its own, it
 * is read whole instead. A file whose header, size or payload CRC32C does not match is ignored and written anew. Files are written to a temporary
 * name and moved into place, never rewritten in place, so a reader never sees half of one and a mapping stays valid.
 * A cache that cannot be read or written is only slower.
 *
 * <p>The directory is the system property {@value #PROPERTY}, {@code false} to turn the cache off; by default
 * {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit/btf}.
 */
final class BtfIndexCache {

    /** The system property naming the cache directory, or {@code false} for no cache. */
    static final String PROPERTY = UserCache.BTF_PROPERTY;
    /** BTF smaller than this is walked, not cached: object BTF and small modules cost less than a file. */
    static final int MIN_BYTES = 256 * 1024;

    /** The kernel's own ELF notes, its build id among them. */
    static final Path KERNEL_NOTES = Path.of("/sys/kernel/notes");
    /** {@code NT_GNU_BUILD_ID}, the note type of a build id (elf.h). */
    private static final int NT_GNU_BUILD_ID = 3;

    private static final long MAGIC = 0x5842544655465042L;  // "BPFUBTFX" read little-endian
    private static final int VERSION = 2;
    private static final int HEADER = 32;
    /** The files' ending, with their format's version: bpfunit versions of other formats keep files of their own. */
    private static final String SUFFIX = "-v" + VERSION + ".idx";

    /** A blob's type offsets and the arrays of its raw-name index; read-only views of a mapped file, or arrays. */
    record Index(IntBuffer offsets, IntBuffer heads, IntBuffer next, IntBuffer nameStart, IntBuffer nameLength,
            IntBuffer essentialLength) {
    }

    /** A kept file's contents: the index and, in a kernel's file, the copy of its BTF (else empty). */
    record Kept(Index index, int checksum, Optional<ByteBuffer> copy) {
    }

    private BtfIndexCache() {
    }

    /** The cache directory, or empty when turned off. */
    static Optional<Path> directory() {
        return UserCache.btf();
    }

    /**
     * The running kernel's GNU build id ({@code NT_GNU_BUILD_ID} in {@code /sys/kernel/notes}) in hex, or empty when
     * the kernel has none or the file cannot be read: a hash of the kernel image, {@code .BTF} included, so the
     * kernel's BTF is the same whenever it is.
     */
    static Optional<String> runningBuildId() {
        try {
            return buildId(Files.readAllBytes(KERNEL_NOTES));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The GNU build id among ELF notes in this machine's byte order, in hex; empty when there is none. */
    static Optional<String> buildId(byte[] notes) {
        ByteBuffer b = ByteBuffer.wrap(notes).order(ByteOrder.nativeOrder());
        int at = 0;
        while (at + 12 <= notes.length) {
            long nameSize = Integer.toUnsignedLong(b.getInt(at));
            long descSize = Integer.toUnsignedLong(b.getInt(at + 4));
            int type = b.getInt(at + 8);
            long name = at + 12L;
            long desc = name + align4(nameSize);
            long following = desc + align4(descSize);
            if (following > notes.length) {
                return Optional.empty();
            }
            if (type == NT_GNU_BUILD_ID && nameSize == 4 && descSize > 0 && notes[(int) name] == 'G'
                    && notes[(int) name + 1] == 'N' && notes[(int) name + 2] == 'U' && notes[(int) name + 3] == 0) {
                StringBuilder hex = new StringBuilder();
                for (long i = desc; i < desc + descSize; i++) {
                    hex.append(Character.forDigit(notes[(int) i] >> 4 & 0xf, 16))
                            .append(Character.forDigit(notes[(int) i] & 0xf, 16));
                }
                return Optional.of(hex.toString());
            }
            at = (int) following;
        }
        return Optional.empty();
    }

    private static long align4(long n) {
        return (n + 3) & ~3L;
    }

    /** The CRC32C of the whole blob: with its length, the cache key. */
    static int checksum(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate().clear());
        return (int) crc.getValue();
    }

    /** The file for a blob of this length and checksum. */
    static Path file(Path dir, int length, int checksum) {
        return dir.resolve("btf-" + length + "-" + hex8(checksum) + SUFFIX);
    }

    /** The file for the running kernel's BTF of this length, by the kernel's build id (hex). */
    static Path kernelFile(Path dir, String buildId, int length) {
        return dir.resolve("vmlinux-" + buildId + "-" + length + SUFFIX);
    }

    /** Eight hex digits (not {@code String.format}: its classes cost a cold JVM milliseconds). */
    private static String hex8(int v) {
        String h = Integer.toHexString(v);
        return "00000000".substring(h.length()) + h;
    }

    /** The index kept for this blob, if a valid one is there. */
    static Optional<Index> read(Path file, int length, int checksum) {
        return map(file, length, false).filter(k -> k.checksum() == checksum).map(Kept::index);
    }

    /** The index and BTF copy kept for a kernel's blob of this length, if a valid file is there. */
    static Optional<Kept> readCopy(Path file, int length) {
        return map(file, length, true);
    }

    private static Optional<Kept> map(Path file, int length, boolean withCopy) {
        ByteBuffer raw;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER || size > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            raw = (onNetworkFileSystem(file) ? readWhole(channel, (int) size)
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return Optional.empty();
        }
        int n = raw.getInt(20);
        int h = raw.getInt(24);
        long indexBytes = 4L * (5L * n + h);
        if (raw.getLong(0) != MAGIC || raw.getInt(8) != VERSION || raw.getInt(12) != length
                || n <= 0 || h <= 0 || Integer.bitCount(h) != 1
                || raw.capacity() != HEADER + indexBytes + (withCopy ? length : 0)) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(raw.slice(HEADER, raw.capacity() - HEADER));
        if ((int) crc.getValue() != raw.getInt(28)) {
            return Optional.empty();
        }
        int at = HEADER;
        IntBuffer offsets = ints(raw, at, n);
        IntBuffer heads = ints(raw, at += 4 * n, h);
        IntBuffer next = ints(raw, at += 4 * h, n);
        IntBuffer nameStart = ints(raw, at += 4 * n, n);
        IntBuffer nameLength = ints(raw, at += 4 * n, n);
        IntBuffer essentialLength = ints(raw, at += 4 * n, n);
        Optional<ByteBuffer> copy = withCopy
                ? Optional.of(raw.slice(HEADER + (int) indexBytes, length).asReadOnlyBuffer())
                : Optional.empty();
        return Optional.of(new Kept(new Index(offsets, heads, next, nameStart, nameLength, essentialLength),
                raw.getInt(16), copy));
    }

    /**
     * Whether the file lies on 9p (a kernel-matrix guest's share of the host's cache), NFS or SMB: there a mapping
     * fetches each page with a request of its own (in an emulated guest, 2 s for checking a kernel's file), so the
     * file is read whole, a request per megabyte or so, instead.
     */
    private static boolean onNetworkFileSystem(Path file) {
        try {
            String type = Files.getFileStore(file).type();
            return type.equals("9p") || type.startsWith("nfs") || type.equals("cifs") || type.equals("smb3");
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** The file in native memory: the running kernel's BTF is kept for the JVM's life, and not on its heap. */
    private static ByteBuffer readWhole(FileChannel channel, int size) throws IOException {
        ByteBuffer raw = ByteBuffer.allocateDirect(size);
        while (raw.hasRemaining()) {
            if (channel.read(raw) < 0) {
                throw new IOException("the file ended after " + raw.position() + " of its " + size + " bytes");
            }
        }
        return raw.clear();
    }

    private static IntBuffer ints(ByteBuffer raw, int at, int count) {
        return raw.slice(at, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().asReadOnlyBuffer();
    }

    /**
     * Keeps the index for this blob (and, given {@code copy}, the blob itself: a kernel's file); a failure (a
     * full disk) is ignored. Callers ask {@link UserCache#writable} first, before they build what they keep.
     */
    static void write(Path file, int length, int checksum, Index index, ByteBuffer copy) {
        int n = index.offsets().capacity();
        int h = index.heads().capacity();
        long size = HEADER + 4L * (5L * n + h) + (copy == null ? 0 : length);
        if (size > Integer.MAX_VALUE) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putInt(VERSION).putInt(length).putInt(checksum).putInt(n).putInt(h).putInt(0);
        IntBuffer ints = b.slice(HEADER, 4 * (5 * n + h)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        for (IntBuffer part : List.of(index.offsets(), index.heads(), index.next(), index.nameStart(),
                index.nameLength(), index.essentialLength())) {
            ints.put(part.duplicate().clear());
        }
        if (copy != null) {
            b.put(HEADER + 4 * (5 * n + h), copy.duplicate().clear(), 0, length);
        }
        byte[] raw = b.array();
        CRC32C crc = new CRC32C();
        crc.update(raw, HEADER, raw.length - HEADER);
        b.putInt(28, (int) crc.getValue());
        UserCache.keep(file, raw);
    }
}

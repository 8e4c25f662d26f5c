package dev.bpfunit.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * An initramfs image built in memory: directories, files, symlinks and device nodes written as a
 * gzip-compressed "newc" cpio archive, the format the kernel unpacks into its initial root filesystem.
 *
 * <p>Paths are relative to the archive root ({@code "bin/busybox"}, no leading slash); missing parent
 * directories are added. Every entry is owned by root with mtime 0, so the same content gives the same bytes, but a
 * file {@linkplain Builder#fileCopiedFrom copied from the host}, which keeps its modification time (a class-data
 * archive checks its jars' times).
 */
public final class Initramfs {
    static final String NEWC_MAGIC = "070701";
    static final String TRAILER = "TRAILER!!!";
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;

    /**
     * One archive member; {@code data} is the file content or the symlink target, unless {@code source} names the host
     * file whose {@code size} bytes are copied when the archive is written (large files are not held in memory).
     */
    record Entry(String path, int mode, byte[] data, int rdevMajor, int rdevMinor, Path source, long size,
                 long mtime) {
        Entry(String path, int mode, byte[] data, int rdevMajor, int rdevMinor) {
            this(path, mode, data, rdevMajor, rdevMinor, null, data.length, 0);
        }
    }

    private final List<Entry> entries;

    private Initramfs(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** A builder for an empty archive. */
    public static Builder builder() {
        return new Builder();
    }

    /** The archive's paths in the order they are written. */
    public List<String> paths() {
        return entries.stream().map(Entry::path).toList();
    }

    /** The uncompressed cpio archive. */
    public byte[] toCpio() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeCpio(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the uncompressed archive to {@code file} (QEMU's {@code -initrd} takes it as it is). */
    public void write(Path file) {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            writeCpio(out);
        } catch (IOException e) {
            throw new VmException("cannot write initramfs " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the gzip-compressed archive to {@code file}, the form QEMU's {@code -initrd} takes. */
    public void writeGzipped(Path file) {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            writeCpio(out);
        } catch (IOException e) {
            throw new VmException("cannot write initramfs " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the uncompressed archive to {@code out}, copying the files added by reference now. */
    void writeTo(OutputStream out) throws IOException {
        writeCpio(out);
    }

    private void writeCpio(OutputStream out) throws IOException {
        int ino = 1;
        long written = 0;
        for (Entry entry : entries) {
            written += writeEntry(out, ino++, entry, written);
        }
        writeEntry(out, 0, new Entry(TRAILER, 0, new byte[0], 0, 0), written);
    }

    private static long writeEntry(OutputStream out, int ino, Entry entry, long offset) throws IOException {
        String name = entry.path();
        int mode = entry.mode();
        byte[] nameBytes = (name + '\0').getBytes(StandardCharsets.UTF_8);
        int nlink = (mode & 0170000) == S_IFDIR ? 2 : 1;
        StringBuilder header = new StringBuilder(110).append(NEWC_MAGIC);
        long[] fields = {ino, mode, 0, 0, nlink, entry.mtime(), entry.size(), 0, 0, entry.rdevMajor(),
                entry.rdevMinor(), nameBytes.length, 0};
        for (long field : fields) {
            header.append(String.format("%08x", field));
        }
        byte[] headerBytes = header.toString().getBytes(StandardCharsets.US_ASCII);
        long position = offset;
        out.write(headerBytes);
        out.write(nameBytes);
        position += headerBytes.length + nameBytes.length;
        position += pad(out, position);
        if (entry.source() == null) {
            out.write(entry.data());
        } else {
            try (InputStream in = Files.newInputStream(entry.source())) {
                long copied = in.transferTo(out);
                if (copied != entry.size()) {
                    throw new IOException(entry.source() + " changed while the initramfs was written (" + copied
                            + " bytes instead of " + entry.size() + ")");
                }
            }
        }
        position += entry.size();
        position += pad(out, position);
        return position - offset;
    }

    private static int pad(OutputStream out, long position) throws IOException {
        int padding = (int) ((4 - position % 4) % 4);
        out.write(new byte[padding]);
        return padding;
    }

    /** Collects the entries of an {@link Initramfs}; a path added twice keeps its last content. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds a directory with mode 0755. */
        public Builder directory(String path) {
            return add(new Entry(normalize(path), S_IFDIR | 0755, new byte[0], 0, 0));
        }

        /** Adds a regular file with the given permission bits (e.g. {@code 0755}). */
        public Builder file(String path, byte[] content, int permissions) {
            return add(new Entry(normalize(path), S_IFREG | (permissions & 07777), content.clone(), 0, 0));
        }

        /** Adds a copy of a file of the host. */
        public Builder file(String path, Path source, int permissions) {
            try {
                return file(path, Files.readAllBytes(source), permissions);
            } catch (IOException e) {
                throw new VmException("cannot read " + source + " for the initramfs: " + e.getMessage(), e);
            }
        }

        /**
         * Adds the host file {@code source} with its modification time (whole seconds), copied when the archive is
         * written rather than read now (it must not change in between).
         */
        public Builder fileCopiedFrom(String path, Path source, int permissions) {
            try {
                return add(new Entry(normalize(path), S_IFREG | (permissions & 07777), new byte[0], 0, 0, source,
                        Files.size(source), Files.getLastModifiedTime(source).to(TimeUnit.SECONDS)));
            } catch (IOException e) {
                throw new VmException("cannot read " + source + " for the initramfs: " + e.getMessage(), e);
            }
        }

        /** Adds a symbolic link pointing at {@code target}. */
        public Builder symlink(String path, String target) {
            return add(new Entry(normalize(path), S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8), 0, 0));
        }

        /** Adds a character device node, e.g. {@code /dev/console} (5, 1). */
        public Builder charDevice(String path, int major, int minor, int permissions) {
            return add(new Entry(normalize(path), S_IFCHR | (permissions & 07777), new byte[0], major, minor));
        }

        /** The archive with the entries added so far. */
        public Initramfs build() {
            return new Initramfs(new ArrayList<>(entries.values()));
        }

        private Builder add(Entry entry) {
            String path = entry.path();
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                String parent = path.substring(0, slash);
                Entry existing = entries.get(parent);
                if (existing == null) {
                    entries.put(parent, new Entry(parent, S_IFDIR | 0755, new byte[0], 0, 0));
                } else if ((existing.mode() & 0170000) != S_IFDIR) {
                    throw new IllegalArgumentException("initramfs path " + path + ": parent " + parent
                            + " is already a file");
                }
            }
            entries.put(path, entry);
            return this;
        }

        private static String normalize(String path) {
            String p = path;
            while (p.startsWith("/")) {
                p = p.substring(1);
            }
            while (p.endsWith("/")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.isEmpty() || p.contains("//") || List.of(p.split("/")).contains("..")) {
                throw new IllegalArgumentException("initramfs path '" + path
                        + "' is not a relative path like bin/busybox");
            }
            return p;
        }
    }
}

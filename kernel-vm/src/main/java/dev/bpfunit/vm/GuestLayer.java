package dev.bpfunit.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Host files copied into a guest's initramfs at their host paths, for a program that runs in the guest before it
 * mounts anything of the host (the {@link ResidentJvm}): a JDK, the shared libraries it maps, jars. Symbolic links
 * on the way to a file are copied as links, so that every path the program uses resolves as on the host, and the
 * same paths keep resolving to the same files once the program has moved into the host's root over 9p.
 *
 * <p>Files are read when the archive is written, not when they are added; {@link #manifest()} (path, size and
 * modification time of each file, each link's target) names the layer's content for a snapshot's key.
 */
final class GuestLayer {
    /** A file of the layer that tells {@code /init} the layer is there (the base initramfs lacks it). */
    static final String MARKER = "resident/layer";
    /**
     * The layer's script of bind mounts ({@code bind PATH} lines), which {@code /init} sources once the host's root is
     * mounted: each file the JVM maps is shown over the host's copy at the same path, so that the guest has one copy
     * of it (a uprobe on {@code libc.so.6} then sees the resident JVM's calls; a child process maps what it maps).
     */
    static final String BINDS = "resident/binds.sh";
    /** Files of the host's {@code /etc} a JVM reads before it runs code: users, time zone, the loader's cache. */
    static final List<String> ETC_FILES = List.of("/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
            "/etc/localtime", "/etc/timezone", "/etc/ld.so.cache");
    /** Parts of a JDK a running JVM never reads (sources, jmods, headers, manuals, javac's symbol file). */
    private static final Set<String> JDK_UNUSED = Set.of("jmods", "include", "man", "legal", "demo", "docs",
            "lib/src.zip", "lib/ct.sym");
    private static final int MAX_LINKS = 40;
    /** Where the system's libraries and their data live: a mapped file elsewhere is not the JVM's own. */
    static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr"), Path.of("/lib"), Path.of("/lib64"),
            Path.of("/lib32"), Path.of("/etc"));

    private final Initramfs.Builder builder = Initramfs.builder();
    private final TreeSet<String> manifest = new TreeSet<>();
    private final Set<Path> done = new HashSet<>();
    /** The real paths of the files mapped by the JVM, shown over the host's copies ({@link #BINDS}). */
    private final Set<Path> binds = new TreeSet<>();

    GuestLayer() {
        builder.file(MARKER, "bpfunit resident JVM layer\n".getBytes(StandardCharsets.UTF_8), 0644);
    }

    /** The files the layer's {@link #BINDS} script shows over the host's copies. */
    Set<Path> binds() {
        return Set.copyOf(binds);
    }

    /** What the layer holds, one line per entry, sorted: a change of any file changes it. */
    String manifest() {
        return String.join("\n", manifest) + "\n";
    }

    /**
     * Writes the layer as an uncompressed cpio archive, its files copied from the host now (it may follow another
     * archive in one initrd: the kernel unpacks them one after the other).
     */
    void writeTo(OutputStream out) throws IOException {
        StringBuilder script = new StringBuilder("# written by bpfunit-vm: the resident JVM's mapped files\n");
        for (Path file : binds) {
            script.append("bind ").append(CommandScript.quote(file.toString())).append('\n');
        }
        builder.file(BINDS, script.toString().getBytes(StandardCharsets.UTF_8), 0644);
        builder.build().writeTo(out);
    }

    /**
     * Adds the host file {@code source} at {@code path} (relative to the archive's root), outside the manifest: for
     * what is made from the layer's own files (the JVM's class-data archive, dumped from its jars and JDK) and so
     * changes only with them, and for what only warms the JVM up before the save ({@link ResidentJvm.Training}), which
     * a restored guest does not depend on.
     */
    GuestLayer derivedFile(String path, Path source) {
        builder.fileCopiedFrom(path, source, 0444);
        return this;
    }

    /** Adds an empty directory at {@code dir}'s path (a working directory that only needs to exist). */
    GuestLayer directory(Path dir) {
        String path = relative(dir);
        builder.directory(path);
        manifest.add("d " + path);
        return this;
    }

    /**
     * Adds {@code path} (absolute): the symbolic links met on the way as links, then the file or, for a directory,
     * its whole tree; a missing path adds nothing.
     */
    GuestLayer include(Path path) throws IOException {
        include(path.toAbsolutePath().normalize(), 0);
        return this;
    }

    /** Adds the JDK at {@code javaHome} without the parts a running JVM never reads ({@link #JDK_UNUSED}). */
    GuestLayer includeJdk(Path javaHome) throws IOException {
        Path home = javaHome.toAbsolutePath().normalize();
        include(home, 0, false); // the links on the way to it
        try (Stream<Path> children = Files.list(home.toRealPath())) {
            for (Path child : (Iterable<Path>) children::iterator) {
                String name = child.getFileName().toString();
                if (JDK_UNUSED.contains(name)) {
                    continue;
                }
                if (name.equals("lib") && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    directory(child);
                    try (Stream<Path> libs = Files.list(child)) {
                        for (Path lib : (Iterable<Path>) libs::iterator) {
                            if (!JDK_UNUSED.contains("lib/" + lib.getFileName())) {
                                include(lib);
                            }
                        }
                    }
                } else {
                    include(child);
                }
            }
        }
        return this;
    }

    /**
     * Adds the files this JVM has mapped from its JDK and the system's directories ({@link #SYSTEM_DIRS}; from
     * {@code /proc/self/maps}: its executable, its shared libraries, locale files) with the links by which the dynamic
     * loader finds each library ({@code libz.so.1} for {@code libz.so.1.2.13}), the ELF interpreter of
     * {@code executable} (the JDK's {@code bin/java}), and {@link #ETC_FILES}. What it mapped from elsewhere (JNA's
     * library unpacked under a random name, a test's own native library) is the run's, not the JVM's: left out.
     */
    GuestLayer includeMappedFiles(Path executable) throws IOException {
        Path javaHome = executable.toRealPath().getParent().getParent();
        Set<Path> mapped = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] fields = line.trim().split("\\s+", 6);
            if (fields.length == 6 && fields[5].startsWith("/") && !fields[5].endsWith(" (deleted)")) {
                Path file = Path.of(fields[5]);
                if ((file.startsWith(javaHome) || SYSTEM_DIRS.stream().anyMatch(file::startsWith))
                        && Files.isRegularFile(file)) {
                    mapped.add(file);
                }
            }
        }
        // each library directory's links, read once: a JVM maps tens of libraries from a directory of thousands
        Map<Path, Map<Path, List<Path>>> linksByDir = new HashMap<>();
        for (Path file : mapped) {
            include(file);
            bind(file);
            if (file.getFileName().toString().contains(".so")) {
                includeLinksTo(file, linksByDir);
            }
        }
        bind(executable);
        Optional<String> interpreter = interpreter(Files.readAllBytes(executable.toRealPath()));
        if (interpreter.isPresent()) {
            include(Path.of(interpreter.get()));
            bind(Path.of(interpreter.get()));
        }
        for (String etc : ETC_FILES) {
            include(Path.of(etc));
        }
        return this;
    }

    /** Adds {@code file}'s real path to {@link #BINDS} (and the manifest). */
    private void bind(Path file) throws IOException {
        Path real = file.toRealPath();
        if (binds.add(real)) {
            manifest.add("b " + relative(real));
        }
    }

    /**
     * Adds the links in {@code library}'s directory that resolve to it (its soname and development names), from
     * {@code linksByDir}, which gets that directory's links when it has not got them yet.
     */
    private void includeLinksTo(Path library, Map<Path, Map<Path, List<Path>>> linksByDir) throws IOException {
        Path dir = library.getParent();
        Map<Path, List<Path>> links = linksByDir.get(dir);
        if (links == null) {
            links = linksByTarget(dir);
            linksByDir.put(dir, links);
        }
        Path real = library.toRealPath();
        String stem = libraryStem(real.getFileName().toString());
        for (Path link : links.getOrDefault(real, List.of())) {
            if (link.getFileName().toString().startsWith(stem)) {
                include(link);
            }
        }
    }

    /** {@code libz} of {@code libz.so.1.2.13}. */
    private static String libraryStem(String name) {
        int so = name.indexOf(".so");
        return so < 0 ? name : name.substring(0, so);
    }

    /** The symbolic links in {@code dir} with {@code .so} in their name, by the real path they resolve to. */
    private static Map<Path, List<Path>> linksByTarget(Path dir) throws IOException {
        Map<Path, List<Path>> links = new HashMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, entry -> entry.getFileName().toString()
                .contains(".so"))) {
            for (Path entry : entries) {
                if (Files.isSymbolicLink(entry)) {
                    try {
                        links.computeIfAbsent(entry.toRealPath(), target -> new ArrayList<>()).add(entry);
                    } catch (IOException dangling) {
                        // a broken link is not how the loader finds a library
                    }
                }
            }
        }
        return links;
    }

    private void include(Path path, int depth) throws IOException {
        include(path, depth, true);
    }

    /**
     * Copies the links on the way to {@code path}, then (when {@code whole}) what it finally names: a file, or a
     * directory's tree.
     */
    private void include(Path path, int depth, boolean whole) throws IOException {
        if (depth > MAX_LINKS) {
            throw new IOException("too many levels of symbolic links at " + path);
        }
        Path current = path.getRoot();
        for (int i = 0; i < path.getNameCount(); i++) {
            Path next = current.resolve(path.getName(i));
            if (Files.isSymbolicLink(next)) {
                Path target = Files.readSymbolicLink(next);
                if (done.add(next)) {
                    builder.symlink(relative(next), target.toString());
                    manifest.add("l " + relative(next) + " -> " + target);
                }
                Path resolved = current.resolve(target).normalize();
                include(i + 1 < path.getNameCount() ? resolved.resolve(path.subpath(i + 1, path.getNameCount()))
                        : resolved, depth + 1, whole);
                return;
            }
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            current = next;
        }
        if (!whole || !done.add(current) || current.getNameCount() == 0) {
            return;
        }
        if (Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
            directory(current);
            try (Stream<Path> children = Files.list(current)) {
                for (Path child : (Iterable<Path>) children::iterator) {
                    include(child, depth, true);
                }
            }
        } else if (Files.isRegularFile(current, LinkOption.NOFOLLOW_LINKS)) {
            int mode = (Integer) Files.getAttribute(current, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            String relative = relative(current);
            builder.fileCopiedFrom(relative, current, mode & 07777);
            StringBuilder line = new StringBuilder("f ").append(relative).append(' ');
            CacheKeys.describe(current, line);
            manifest.add(line.toString().strip());
        }
    }

    private static String relative(Path absolute) {
        return absolute.toString().substring(1);
    }

    /** The {@code PT_INTERP} of an x86-64 or aarch64 ELF executable (empty for a static one). */
    static Optional<String> interpreter(byte[] elf) {
        ByteBuffer buf = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || buf.getInt(0) != 0x464c457f || elf[4] != 2) {
            throw new IllegalArgumentException("not a 64-bit ELF file");
        }
        long phoff = buf.getLong(0x20);
        int phentsize = Short.toUnsignedInt(buf.getShort(0x36));
        int phnum = Short.toUnsignedInt(buf.getShort(0x38));
        if (phoff < 0 || phentsize < 0x38 || phoff + (long) phnum * phentsize > elf.length) {
            throw new IllegalArgumentException("corrupt program header table");
        }
        for (int i = 0; i < phnum; i++) {
            int header = (int) (phoff + (long) i * phentsize);
            if (buf.getInt(header) == 3) { // PT_INTERP
                long offset = buf.getLong(header + 8);
                long size = buf.getLong(header + 0x20);
                if (offset < 0 || size < 1 || offset + size > elf.length) {
                    throw new IllegalArgumentException("corrupt PT_INTERP");
                }
                return Optional.of(new String(elf, (int) offset, (int) size - 1, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}

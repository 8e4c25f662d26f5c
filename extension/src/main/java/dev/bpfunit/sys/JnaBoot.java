package dev.bpfunit.sys;

import com.sun.jna.Platform;
import dev.bpfunit.cache.UserCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Spares a JVM two of JNA's start-up costs, about 50 ms of the first load of an object, by setting two of JNA's own
 * system properties before JNA's first use, each only when nobody has set it:
 * <ul>
 *   <li>{@code jna.boot.library.path}: a copy of JNA's native library, unpacked from the JNA jar on the class path
 *       once and kept in {@code ~/.cache/bpfunit/jna/<crc32>-<size>/} (checked against the jar's bytes each time).
 *       Without it JNA unpacks the library to a new temporary file in every JVM. If the copy cannot be loaded (a
 *       {@code noexec} home), JNA goes on to unpack its own as before. This one is set only while JNA's
 *       {@code Native} class starts, which {@link #prepare()} then does, and cleared after.</li>
 *   <li>{@code jna.platform.library.path}: the directories JNA would compute itself, the same list in the same
 *       order, with the dynamic linker's directories read from {@code /etc/ld.so.cache} instead of from a
 *       {@code /sbin/ldconfig -p} process, which JNA starts in every JVM. Only for the layouts whose value is
 *       known here (64-bit Linux, x86-64 and arm64, a glibc cache with format 1.1); elsewhere JNA runs ldconfig.</li>
 * </ul>
 * Every class of this package that uses a JNA type calls {@link #prepare()} first in its static initializer
 * ({@code ArchitectureTest} checks it), since any of them may be the first to touch JNA. Nothing here fails a
 * load: whatever goes wrong leaves JNA to do as it always did.
 */
final class JnaBoot {
    /** JNA's property: directories searched for its native library before it unpacks its own. */
    static final String BOOT_PATH = "jna.boot.library.path";
    /** JNA's property: the platform's library directories, computed (with ldconfig) when it is not set. */
    static final String PLATFORM_PATH = "jna.platform.library.path";
    /** The dynamic linker's cache, which {@code ldconfig -p} prints. */
    static final Path LD_SO_CACHE = Path.of("/etc/ld.so.cache");

    private static final String NEW_CACHE_MAGIC = "glibc-ld.so.cache1.1";
    private static final String OLD_CACHE_MAGIC = "ld.so-1.7.0";
    /** The old format's header: its magic, padded, and its count of 12-byte entries. */
    private static final int OLD_CACHE_HEADER = 16;
    private static final int OLD_CACHE_ENTRY = 12;
    private static final int NEW_CACHE_HEADER = 48;
    private static final int NEW_CACHE_ENTRY = 24;

    private static volatile boolean prepared;

    private JnaBoot() {
    }

    /**
     * Sets the two properties once per JVM (class loader), before JNA's first use, and starts JNA; throws only what
     * JNA's own start throws (its library cannot be loaded), as the caller's first use of JNA would have.
     */
    static void prepare() {
        if (prepared) {
            return;
        }
        synchronized (JnaBoot.class) {
            if (prepared) {
                return;
            }
            prepared = true;
            Optional<Path> kept = Optional.empty();
            try {
                if (System.getProperty(PLATFORM_PATH) == null && Platform.isLinux()) {
                    platformPath(Platform.ARCH, System.getProperty("sun.arch.data.model"), LD_SO_CACHE)
                            .ifPresent(path -> System.setProperty(PLATFORM_PATH, path));
                }
                kept = System.getProperty(BOOT_PATH) == null ? keptDispatchLibrary() : Optional.empty();
            } catch (RuntimeException | LinkageError e) {
                // JNA starts as it always did
            }
            if (kept.isPresent()) {
                System.setProperty(BOOT_PATH, kept.get().toString());
                try {
                    // JNA reads the property once, as its Native class starts: start it now, then take the property
                    // back, so that another JNA in this JVM (another class loader, another version, which would
                    // refuse this library) does not find it. A JNA that cannot start throws here what its first use
                    // would have (UnsatisfiedLinkError), for the caller.
                    Class.forName("com.sun.jna.Native", true, Platform.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    // no JNA: the caller's first use of it says so
                } finally {
                    System.clearProperty(BOOT_PATH);
                }
            }
        }
    }

    /**
     * The directory of a kept copy of the JNA jar's native library for this platform, written there if missing or
     * different from the jar's; empty when there is no cache or the library cannot be read or kept.
     */
    static Optional<Path> keptDispatchLibrary() {
        Optional<Path> root = UserCache.jna();
        if (root.isEmpty()) {
            return Optional.empty();
        }
        String name = System.mapLibraryName("jnidispatch");
        byte[] library;
        ClassLoader loader = Platform.class.getClassLoader();
        String resource = "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + name;
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
                : loader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            library = in.readAllBytes();
        } catch (IOException e) {
            return Optional.empty();
        }
        CRC32 crc = new CRC32();
        crc.update(library);
        Path dir = root.get().resolve(Long.toHexString(crc.getValue()) + "-" + library.length);
        Path file = dir.resolve(name);
        try {
            if (Files.size(file) == library.length && java.util.Arrays.equals(Files.readAllBytes(file), library)) {
                return Optional.of(dir);
            }
        } catch (IOException | SecurityException e) {
            // not kept yet, or unreadable: write it
        }
        return UserCache.keep(file, library) ? Optional.of(dir) : Optional.empty();
    }

    /**
     * The value JNA 5 gives {@code jna.platform.library.path} on 64-bit Linux: the multiarch and generic library
     * directories, then those of {@code ldconfig -p}'s libraries in its order, each once, only those that exist;
     * empty when this layout (architecture, data model, cache format) is not one whose value is known here.
     */
    static Optional<String> platformPath(String jnaArch, String dataModel, Path ldSoCache) {
        String multiArch;
        if (jnaArch.startsWith("x86")) {
            multiArch = "x86_64-linux-gnu";
        } else if (jnaArch.startsWith("arm") || jnaArch.startsWith("aarch")) {
            multiArch = "arm-linux-gnueabi";    // what JNA 5 names for every ARM, arm64 included
        } else {
            return Optional.empty();
        }
        if (!"64".equals(dataModel)) {
            return Optional.empty();
        }
        Optional<List<String>> linker = ldconfigDirectories(ldSoCache);
        if (linker.isEmpty()) {
            return Optional.empty();
        }
        Set<String> paths = new LinkedHashSet<>(List.of("/usr/lib/" + multiArch, "/lib/" + multiArch, "/usr/lib64",
                "/lib64", "/usr/lib", "/lib"));
        paths.addAll(linker.get());
        List<String> existing = new ArrayList<>();
        for (String p : paths) {
            if (Files.isDirectory(Path.of(p))) {
                existing.add(p);
            }
        }
        return existing.isEmpty() ? Optional.empty() : Optional.of(String.join(java.io.File.pathSeparator, existing));
    }

    private static boolean startsWith(byte[] raw, int at, String magic) {
        return at + magic.length() <= raw.length
                && new String(raw, at, magic.length(), StandardCharsets.ISO_8859_1).equals(magic);
    }

    /**
     * The directories of the libraries {@code ldconfig -p} prints (each library's path up to its last '/'), in its
     * order, each once: read from glibc's cache file, format 1.1, alone (glibc 2.32 and later) or after the old
     * format (earlier glibc's default); empty when the file is missing, has no such part, or is cut short.
     */
    static Optional<List<String>> ldconfigDirectories(Path ldSoCache) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(ldSoCache);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        long start = 0;
        if (startsWith(raw, 0, OLD_CACHE_MAGIC) && raw.length >= OLD_CACHE_HEADER) {
            // glibc before 2.32 by default: the old format, then the new one at the next 8-byte boundary
            start = (OLD_CACHE_HEADER + Integer.toUnsignedLong(b.getInt(12)) * OLD_CACHE_ENTRY + 7) & ~7L;
        }
        if (start + NEW_CACHE_HEADER > raw.length || !startsWith(raw, (int) start, NEW_CACHE_MAGIC)) {
            return Optional.empty();
        }
        long count = Integer.toUnsignedLong(b.getInt((int) start + 20));
        if (start + NEW_CACHE_HEADER + count * NEW_CACHE_ENTRY > raw.length) {
            return Optional.empty();
        }
        Set<String> dirs = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            // string offsets count from the new format's header
            long value = start + Integer.toUnsignedLong(b.getInt((int) start + NEW_CACHE_HEADER + i * NEW_CACHE_ENTRY + 8));
            if (value >= raw.length) {
                return Optional.empty();
            }
            int end = (int) value;
            while (end < raw.length && raw[end] != 0) {
                end++;
            }
            if (end == raw.length) {
                return Optional.empty();
            }
            String path = new String(raw, (int) value, end - (int) value, StandardCharsets.UTF_8);
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                dirs.add(path.substring(0, slash));
            }
        }
        return Optional.of(List.copyOf(dirs));
    }
}

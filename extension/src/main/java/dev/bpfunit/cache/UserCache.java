package dev.bpfunit.cache;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Where bpfunit keeps files between JVMs, {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit}, and how it writes one there:
 * to a temporary name, then moved into place, so that a reader never sees half a file and a file mapped into
 * memory by another JVM is never rewritten under it. A cache that cannot be written is only slower: every method
 * here swallows the failure.
 */
public final class UserCache {

    /**
     * The system property that places the kernel BTF cache (the running kernel's BTF and the name indexes of big BTF
     * files): a directory, {@code false} for none, unset or {@code true} for {@code btf} in {@link #root()}.
     */
    public static final String BTF_PROPERTY = "bpfunit.btf.cache";
    /** The system property that places the kept copies of JNA's native library, as {@link #BTF_PROPERTY} does. */
    public static final String JNA_PROPERTY = "bpfunit.jna.cache";

    private UserCache() {
    }

    /** The kernel BTF cache's directory ({@link #BTF_PROPERTY}), or empty when it is off. */
    public static Optional<Path> btf() {
        return directory(BTF_PROPERTY, "btf");
    }

    /** The directory of JNA's kept native library ({@link #JNA_PROPERTY}), or empty when it is off. */
    public static Optional<Path> jna() {
        return directory(JNA_PROPERTY, "jna");
    }

    /**
     * The caches a test JVM in a guest or container may share with this JVM, by the system property that places
     * each: the kernel BTF cache (its files are keyed by each kernel's build id or by the BTF's checksum, so
     * kernels do not mix) and JNA's library copies (by the library's checksum). A guest mounts each directory
     * writable at the same path and its JVM is given the property, so its first CO-RE load maps the kernel's BTF
     * kept by an earlier run instead of reading and indexing it under emulation. Only directories that exist or
     * could be created are listed.
     */
    public static java.util.Map<String, Path> sharedWithGuests() {
        java.util.Map<String, Path> shared = new java.util.LinkedHashMap<>();
        btf().filter(UserCache::created).ifPresent(dir -> shared.put(BTF_PROPERTY, dir.toAbsolutePath()));
        jna().filter(UserCache::created).ifPresent(dir -> shared.put(JNA_PROPERTY, dir.toAbsolutePath()));
        return shared;
    }

    private static boolean created(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isDirectory(dir) && Files.isWritable(dir);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /**
     * Whether a file could be written in {@code dir}: the directory, or the nearest of its parents that exists, is
     * writable (not on a read-only mount, say). Lets a writer skip preparing bytes no write would keep.
     */
    public static boolean writable(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return Files.isDirectory(p) && Files.isWritable(p);
            }
        }
        return false;
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/bpfunit}; empty when neither the variable nor {@code user.home} is set. */
    public static Optional<Path> root() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Optional.of(Path.of(xdg, "bpfunit"));
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".cache", "bpfunit"));
    }

    /**
     * The directory a system property chooses: unset, blank or {@code true}, {@code name} in {@link #root()};
     * {@code false}, none (that cache is off); anything else, that directory.
     */
    public static Optional<Path> directory(String property, String name) {
        String configured = System.getProperty(property, "").strip();
        // "true" is the default place, not a directory named "true" in the working directory
        if (!configured.isEmpty() && !configured.equalsIgnoreCase("true")) {
            return configured.equalsIgnoreCase("false") ? Optional.empty() : Optional.of(Path.of(configured));
        }
        return root().map(r -> r.resolve(name));
    }

    /** Writes {@code bytes} to {@code file} by a temporary file moved into place; false when that failed. */
    public static boolean keep(Path file, byte[] bytes) {
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            // hidden, so that nothing listing the directory takes it for a kept file
            tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
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

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

    private UserCache() {
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
            tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
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

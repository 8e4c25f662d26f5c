package dev.bpfunit.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting the temporary directories this module makes, and writing the files it keeps in its caches. */
final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code dir} and everything below it, ignoring what cannot be deleted; null is ignored. */
    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover file in a temp directory is harmless
                }
            });
        } catch (IOException ignored) {
            // the tree vanished while being walked
        }
    }

    /**
     * Writes {@code bytes} to {@code file} through a temporary file in its directory (created if needed) and a
     * rename, so that a reader sees the old file or the whole new one; best effort, for a cache: what cannot be
     * written is worked out again next time.
     */
    static void keep(Path file, byte[] bytes) {
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            // not kept
        } finally {
            deleteQuietly(tmp);
        }
    }
}

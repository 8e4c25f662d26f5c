package dev.bpfunit.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting the temporary directories this module makes. */
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
}

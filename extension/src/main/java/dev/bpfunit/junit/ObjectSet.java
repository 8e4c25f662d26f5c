package dev.bpfunit.junit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The objects one {@link BpfTest} scope loaded (a class, or one test), closed together when the scope ends.
 *
 * <p>Jupiter 5.13+ closes stored {@link AutoCloseable}s; 5.10 to 5.12 close only {@code CloseableResource}s, so it is
 * both ({@link JupiterCompat}); 6.x closes it once, as an AutoCloseable.
 */
@SuppressWarnings("deprecation")
final class ObjectSet implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    /** One object: the name the annotation gave, and the object (or, before load, its loader). */
    record Entry(String requested, String fileName, BpfObjectLoader loader, BpfObject object) {

        /** Whether {@code name} (as in {@link FromObject}) denotes this object. */
        boolean matches(String name) {
            return name.equals(requested) || name.equals(fileName) || name.equals(stem(fileName))
                    || name.equals(stem(requested));
        }

        private static String stem(String name) {
            int slash = name.lastIndexOf('/');
            String base = name.substring(slash + 1);
            int dot = base.indexOf('.');
            return dot < 0 ? base : base.substring(0, dot);
        }
    }

    private final List<Entry> entries;

    ObjectSet(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    List<Entry> entries() {
        return entries;
    }

    List<String> fileNames() {
        return entries.stream().map(Entry::fileName).toList();
    }

    /** Closes the objects, last loaded first, all of them even when one close fails. */
    @Override
    public void close() {
        List<Entry> reversed = new ArrayList<>(entries);
        Collections.reverse(reversed);
        Closeables.closeAll(reversed.stream().map(Entry::object).toList());
    }
}

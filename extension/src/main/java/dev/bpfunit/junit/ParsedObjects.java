package dev.bpfunit.junit;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.spec.ObjectSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The objects the extension has parsed in this run, so that a class whose tests each get a fresh object parses it
 * once, and so does every other class of the run naming the same object.
 *
 * <p>Keyed by the file name (it is in the spec and its messages) and the object's whole content, compared byte for
 * byte on a hit: the bytes are read for every test anyway, and an object rebuilt between two classes is parsed
 * again. A spec is immutable (its arrays are copied in and out), so sharing one between loads, and between
 * threads, is sound. Kept in the root store (for the run), at most {@link #MAX_OBJECTS}, least recently used first
 * out.
 */
final class ParsedObjects {

    /** The most parsed objects kept in one run. */
    static final int MAX_OBJECTS = 64;

    private final Map<Key, ObjectSpec> specs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ObjectSpec> eldest) {
            return size() > MAX_OBJECTS;
        }
    };

    /** The run's cache, made on first use. */
    static ParsedObjects of(ExtensionContext context) {
        return JupiterCompat.computeIfAbsent(context.getRoot().getStore(BpfExtension.NAMESPACE),
                ParsedObjects.class.getName(), k -> new ParsedObjects(), ParsedObjects.class);
    }

    /**
     * A loader of the object with these bytes, from its parse in this run if there was one; otherwise the object is
     * parsed now (a {@link dev.bpfunit.error.BpfException} if it cannot be) and kept.
     */
    BpfObjectLoader loader(byte[] bytes, String fileName) {
        Key key = new Key(fileName, bytes);
        ObjectSpec spec;
        synchronized (this) {
            spec = specs.get(key);
        }
        if (spec == null) {
            // parsed outside the lock: two threads may both parse a new object once; the specs are equal
            spec = BpfObject.loader(bytes, fileName).spec();
            synchronized (this) {
                specs.put(key, spec);
            }
        }
        return BpfObject.loader(spec);
    }

    private record Key(String fileName, byte[] bytes, int hash) {
        Key(String fileName, byte[] bytes) {
            this(fileName, bytes, 31 * fileName.hashCode() + Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && fileName.equals(k.fileName) && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return fileName + " (" + bytes.length + " bytes)";
        }
    }
}

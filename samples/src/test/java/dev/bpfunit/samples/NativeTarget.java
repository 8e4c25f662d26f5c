package dev.bpfunit.samples;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The project's native library for uprobes, {@code target/native/libbpfunit_target.so}, called through JNA. */
final class NativeTarget {

    /** The library's functions. */
    interface Lib extends Library {
        int bpfunit_add(int a, int b);
    }

    private static Lib lib;

    private NativeTarget() {
    }

    /**
     * Where the samples' build put the library (gcc, generate-test-resources): {@code target/native}, beside the
     * {@code target/classes/bpf} directory of the sample objects. Found from that resource directory rather than
     * from this class's code source, which in a kernel-matrix guest is the class-data archive's jar of the test
     * classes, not {@code target/test-classes}.
     */
    static Path path() {
        try {
            java.net.URL objects = NativeTarget.class.getResource("/bpf");
            if (objects == null || !"file".equals(objects.getProtocol())) {
                throw new IllegalStateException("no /bpf directory of sample objects on the classpath (" + objects
                        + "): run samples/build-bpf.sh");
            }
            Path so = Path.of(objects.toURI()).getParent().resolveSibling("native").resolve("libbpfunit_target.so");
            if (!Files.isRegularFile(so)) {
                throw new IllegalStateException(so + " does not exist: the samples' Maven build makes it with gcc "
                        + "(exec-maven-plugin, execution native-target)");
            }
            return so;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static synchronized Lib lib() {
        if (lib == null) {
            lib = Native.load(path().toString(), Lib.class);
        }
        return lib;
    }
}

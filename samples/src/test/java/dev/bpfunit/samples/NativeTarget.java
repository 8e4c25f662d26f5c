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

    /** Where the samples' build put the library (gcc, generate-test-resources). */
    static Path path() {
        try {
            Path testClasses = Path.of(NativeTarget.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path so = testClasses.resolveSibling("native").resolve("libbpfunit_target.so");
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

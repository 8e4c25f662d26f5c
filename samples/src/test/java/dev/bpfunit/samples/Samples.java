package dev.bpfunit.samples;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the sample objects on the test classpath and small helpers the sample tests share. */
final class Samples {

    private Samples() {
    }

    /** The path of {@code /bpf/<name>.bpf.o} on the classpath. */
    static Path object(String name) {
        URL url = Samples.class.getResource("/bpf/" + name + ".bpf.o");
        if (url == null) {
            throw new IllegalStateException("no sample object /bpf/" + name + ".bpf.o on the classpath: "
                    + "run samples/build-bpf.sh");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A little-endian u32, the way map keys and values are laid out on x86-64. */
    static byte[] u32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
    }

    /** Reads a little-endian u32 at {@code offset}. */
    static int u32(byte[] bytes, int offset) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(offset);
    }

    /** Reads a little-endian u16 at {@code offset}. */
    static int u16(byte[] bytes, int offset) {
        return Short.toUnsignedInt(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(offset));
    }

    /**
     * The number of bpfunit file descriptors this test's thread made and has not closed: unlike a count of
     * {@code /proc/self/fd}, tests running in parallel on other threads do not change it.
     */
    static long openFds() {
        return dev.bpfunit.sys.Fd.openedByThisThread();
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        return Fd.openedByThisThread();
    }

    /**
     * Asserts that this test's thread holds no more bpfunit file descriptors than it did when {@link #openFds()}
     * returned {@code before}, naming the ones it still holds when it does.
     */
    static void assertNoFdLeakedSince(long before) {
        assertThat(openFds()).as("bpfunit fds this test's thread made and did not close: %s",
                Fd.openByThisThread()).isLessThanOrEqualTo(before);
    }

    /**
     * The kernel ids of an object's programs and maps: what a check that they are gone after close looks for. Ids
     * are not reused soon (the kernel hands them out cyclically), so the check holds while other tests load and
     * close objects on other threads, which a count of the process's descriptors does not.
     */
    static KernelIds kernelIds(BpfObject obj) {
        return new KernelIds(obj.programs().stream().map(p -> p.info().id()).toList(),
                obj.maps().stream().map(m -> m.info().id()).toList());
    }

    /** Program and map ids of one object. */
    record KernelIds(List<Integer> programs, List<Integer> maps) {
        /**
         * The ids the kernel still knows (held by any process), as {@code program 12} and {@code map 7}. Asked with
         * {@code GET_NEXT_ID}, which takes no reference: opening a closed object's program array by id would re-queue
         * its clean-up, and a kernel that finds that work still queued never drops the reference taken for it.
         */
        List<String> stillInKernel() {
            List<String> live = new ArrayList<>();
            programs.stream().filter(id -> exists(id, Bpf::progGetNextId)).forEach(id -> live.add("program " + id));
            maps.stream().filter(id -> exists(id, Bpf::mapGetNextId)).forEach(id -> live.add("map " + id));
            return live;
        }

        /**
         * {@link #stillInKernel()} once it is empty, or after {@code timeout}: the kernel frees some of it later than
         * the close. A program's maps are released an RCU grace period after the program is freed, and a program
         * array holding the object's own programs (a tail-call table) is emptied by a workqueue once its last user
         * reference is gone, after which its programs and then the array go: a map of {@code tailcall.bpf.o} was
         * seen still there 5 s after the close.
         */
        List<String> stillInKernelAfter(java.time.Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<String> live = stillInKernel();
            while (!live.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                live = stillInKernel();
            }
            return live;
        }

        static boolean exists(int id, java.util.function.IntFunction<java.util.OptionalInt> nextIdAfter) {
            java.util.OptionalInt next = nextIdAfter.apply(id - 1);
            return next.isPresent() && next.getAsInt() == id;
        }
    }
}

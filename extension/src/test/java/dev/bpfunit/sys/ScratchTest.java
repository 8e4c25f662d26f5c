package dev.bpfunit.sys;

import static dev.bpfunit.sys.BpfMapTest.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-thread {@link Scratch} buffers: slices are zeroed or hold their copy, nested and oversized
 * calls get buffers of their own, and map and test-run calls from several threads at once each see
 * their own data.
 */
class ScratchTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 1500;

    @Test
    void slicesAreAlignedZeroedOrCopiedAndBounded() {
        try (Scratch s = Scratch.open(Scratch.slot(3) + Scratch.slot(5) + Scratch.slot(16))) {
            Pointer copy = new Pointer(s.copyOf(new byte[] {1, 2, 3}));
            Pointer zero = new Pointer(s.zeroed(5));
            assertThat(Pointer.nativeValue(zero) - Pointer.nativeValue(copy)).isEqualTo(8);
            assertThat(copy.getByteArray(0, 3)).containsExactly(1, 2, 3);
            assertThat(zero.getByteArray(0, 5)).containsOnly(0);
            zero.setByte(4, (byte) 9);
            assertThat(s.zeroed(0)).isZero();
            assertThat(s.copyOf(null)).isZero();
            assertThat(s.copyOf(new byte[0])).isZero();
            assertThat(s.zeroed(16)).isNotZero();
            assertThatThrownBy(() -> s.zeroed(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has no room for 1 more");
        }
        // the same thread's buffer again: what the last call left there is cleared when handed out
        try (Scratch s = Scratch.open(16)) {
            s.copyOf(new byte[3]);
            assertThat(new Pointer(s.zeroed(5)).getByteArray(0, 5)).containsOnly(0);
        }
        assertThatThrownBy(() -> Scratch.open(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nestedAndOversizedOpensGetTheirOwnBuffer() {
        try (Scratch outer = Scratch.open(8)) {
            Pointer a = new Pointer(outer.copyOf(new byte[] {5}));
            try (Scratch inner = Scratch.open(8)) {
                assertThat(inner).isNotSameAs(outer);
                inner.copyOf(new byte[] {6});
            }
            assertThat(a.getByte(0)).isEqualTo((byte) 5);
        }
        long big = Scratch.RETAINED_MAX + 8;
        Scratch first;
        try (Scratch s = Scratch.open(big)) {
            first = s;
            assertThat(new Pointer(s.zeroed(big)).getByte(big - 1)).isZero();
        }
        try (Scratch s = Scratch.open(8)) {
            assertThat(s).isNotSameAs(first);
        }
        assertThatThrownBy(() -> first.zeroed(8)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after close()");
    }

    /** Every thread updates, reads back and deletes its own keys and runs its own packets, all at once. */
    @Test
    void mapCallsAndTestRunsFromManyThreadsSeeTheirOwnData() throws Exception {
        assumeTrue(SystemInfo.hasCapBpf(), "needs root or CAP_BPF");
        int[] verdicts = {1, 2, 3, 2};  // XDP_DROP, XDP_PASS, XDP_TX, XDP_PASS
        List<Fd> progs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (Fd small = Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_HASH).keySize(4)
                .valueSize(8).maxEntries(THREADS * 2).mapName("scratch_small"));
                Fd large = Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_HASH).keySize(16)
                        .valueSize(1000).maxEntries(THREADS * 2).mapName("scratch_large"))) {
            for (int t = 0; t < THREADS; t++) {
                progs.add(BpfProgTest.xdp("scratch_" + t, BpfProgTest.returns(verdicts[t])));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    return hammer(thread, small, large, progs.get(thread), verdicts[thread]);
                }));
            }
            start.countDown();
            for (Future<Integer> f : done) {
                assertThat(f.get(5, TimeUnit.MINUTES)).isEqualTo(ROUNDS);
            }
        } finally {
            pool.shutdownNow();
            progs.forEach(Fd::close);
        }
    }

    private static int hammer(int thread, Fd small, Fd large, Fd prog, int verdict) {
        int rounds = 0;
        for (int i = 0; i < ROUNDS; i++) {
            int id = thread << 24 | i;
            byte[] key = u32(id);
            byte[] value = BpfMapTest.u64(((long) id << 32) | ~id & 0xffffffffL);
            Bpf.mapUpdateElem(small, key, value, 0);
            byte[] got = new byte[8];
            check(Bpf.mapLookupElem(small, key, got, 0) && Arrays.equals(got, value), thread, i, "small lookup");
            check(Bpf.mapDeleteElem(small, key), thread, i, "small delete");
            check(!Bpf.mapLookupElem(small, key, got, 0), thread, i, "small lookup after delete");

            byte[] bigKey = filled(16, id, 3);
            byte[] bigValue = filled(1000, id, 7);
            Bpf.mapUpdateElem(large, bigKey, bigValue, 0);
            byte[] bigGot = new byte[1000];
            check(Bpf.mapLookupElem(large, bigKey, bigGot, 0) && Arrays.equals(bigGot, bigValue), thread, i,
                    "large lookup");
            check(Bpf.mapLookupAndDeleteElem(large, bigKey, bigGot, 0) && Arrays.equals(bigGot, bigValue), thread,
                    i, "large lookup and delete");

            // sizes differ between rounds so a shorter packet follows a longer one in the same buffer
            byte[] packet = filled(64 + (i * 37 + thread * 101) % 1400, id, 11);
            TestRunResult run = Bpf.progTestRun(prog, new ProgTestRunAttr().dataIn(packet));
            check(run.retval() == verdict && Arrays.equals(run.dataOut(), packet), thread, i, "test run");
            rounds++;
        }
        return rounds;
    }

    /** {@code size} bytes unique to {@code id}: the id, then a pattern from it. */
    private static byte[] filled(int size, int id, int step) {
        byte[] b = new byte[size];
        for (int j = 0; j < size; j++) {
            b[j] = (byte) (id * 31 + j * step + (id >>> 24));
        }
        System.arraycopy(u32(id), 0, b, 0, 4);
        return b;
    }

    private static void check(boolean ok, int thread, int round, String what) {
        if (!ok) {
            throw new AssertionError("thread " + thread + ", round " + round + ": " + what + " saw another's data");
        }
    }
}

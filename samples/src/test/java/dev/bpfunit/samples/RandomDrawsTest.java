package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.instrument.DeterministicValues;
import dev.bpfunit.instrument.Instrumenter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * random_draws.bpf.c from several threads at once with a seeded random sequence: the rewritten
 * {@code bpf_get_prandom_u32} takes each call's number with one atomic fetch-and-add, so the values drawn are
 * exactly the first N values of the sequence — none drawn twice by two racing runs, none skipped.
 */
class RandomDrawsTest {

    private static final byte[] PACKET = Frames.udp4(new byte[] {10, 0, 0, 7}, new byte[] {10, 0, 0, 1}, 4000, 80,
            16, 64);
    private static final long SEED = 0x5eed;

    @Test
    void concurrentRunsDrawEveryValueOfTheSeededSequenceExactlyOnce() throws Exception {
        int threads = 4;
        int runsPerThread = 2500;
        long total = (long) threads * runsPerThread;
        try (BpfObject obj = BpfObject.loader(Samples.object("random_draws")).randomSeed(SEED).load()) {
            BpfProgram draw = obj.program("draw");
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> runs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    runs.add(pool.submit(() -> {
                        start.await();
                        // one BPF_PROG_TEST_RUN repeating in the kernel: the threads' loops overlap on both CPUs
                        for (int i = 0; i < runsPerThread / 250; i++) {
                            draw.testRun().data(PACKET).repeat(250).run();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : runs) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }

            Set<Integer> expected = new HashSet<>();
            for (long n = 0; n < total; n++) {
                expected.add(DeterministicValues.random(SEED, n));
            }
            long expectedDuplicates = total - expected.size();    // the sequence's own 32-bit collisions, if any
            Set<Integer> drawn = new HashSet<>();
            for (byte[] key : obj.map("seen").keys()) {
                drawn.add(Samples.u32(key, 0));
            }
            assertThat(obj.globals().get("draws").asLong()).isEqualTo(total);
            assertThat(DeterministicValues.calls(obj.map(Instrumenter.RANDOM_MAP).lookup(new byte[4]).orElseThrow()))
                    .as("calls taken from the random map's counter").isEqualTo(total);
            assertThat(obj.globals().get("duplicates").asLong()).as("values drawn twice")
                    .isEqualTo(expectedDuplicates);
            assertThat(drawn).as("the values drawn are the sequence's first %d", total).isEqualTo(expected);
        }
    }

    @Test
    void oneThreadDrawsTheSequenceInOrder() {
        try (BpfObject obj = BpfObject.loader(Samples.object("random_draws")).randomSeed(SEED).load()) {
            BpfProgram draw = obj.program("draw");
            for (int n = 0; n < 5; n++) {
                draw.run(PACKET);
                int expected = DeterministicValues.random(SEED, n);
                assertThat(obj.map("seen").lookup(Samples.u32(expected))).as("draw %d", n).isPresent();
                assertThat(obj.map("seen").keys()).hasSize(n + 1);
            }
        }
    }
}

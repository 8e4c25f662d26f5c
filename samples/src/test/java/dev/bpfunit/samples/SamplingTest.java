package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.TestClock;
import dev.bpfunit.instrument.DeterministicValues;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Deterministic;
import dev.bpfunit.junit.Program;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * sampling.bpf.c samples one packet in 8 at random: with a seeded sequence the test knows exactly which ones.
 */
@BpfTest("bpf/sampling.bpf.o")
@Deterministic(seed = 42)
class SamplingTest {

    static final byte[] PACKET = Frames.udp4(new byte[] {10, 0, 0, 7}, new byte[] {10, 0, 0, 1}, 4000, 80, 16, 64);

    @Program("sample") BpfProgram sample;

    @Test
    void samplesExactlyThePacketsTheSeededSequencePicks(Globals globals, TestClock clock) {
        clock.cpu(3).set(Duration.ofSeconds(10));
        long expectedMask = 0;
        int expected = 0;
        for (int i = 0; i < 64; i++) {
            if (Integer.remainderUnsigned(DeterministicValues.random(42, i), 8) == 0) {
                expected++;
                expectedMask |= 1L << i;
            }
            sample.run(PACKET);
        }
        assertThat(expected).isBetween(2, 20);     // the seed gives a sample at all, and not every packet
        assertThat(globals.get("packets").asLong()).isEqualTo(64);
        assertThat(globals.get("sampled").asLong()).isEqualTo(expected);
        assertThat(globals.get("sampled_mask").asLong()).isEqualTo(expectedMask);
        assertThat(globals.get("last_cpu").asLong()).isEqualTo(3);
        assertThat(globals.get("last_ns").asLong()).isEqualTo(10_000_000_000L);
    }

    @Test
    void anotherSeedSamplesOtherPackets() {
        try (BpfObject a = BpfObject.loader(Samples.object("sampling")).randomSeed(1).load();
             BpfObject b = BpfObject.loader(Samples.object("sampling")).randomSeed(2).load()) {
            for (int i = 0; i < 64; i++) {
                a.program("sample").run(PACKET);
                b.program("sample").run(PACKET);
            }
            assertThat(a.globals().get("sampled_mask").asLong()).isNotEqualTo(b.globals().get("sampled_mask")
                    .asLong());
        }
    }

    @Test
    void withoutDeterministicHelpersTheKernelClockIsUsed() {
        try (BpfObject plain = BpfObject.loader(Samples.object("sampling")).global("one_in", 1).load()) {
            plain.program("sample").run(PACKET);
            assertThat(plain.globals().get("last_ns").asLong()).isGreaterThan(0);
        }
        TestClock clock = new TestClock(Duration.ofMillis(5));
        try (BpfObject fixed = BpfObject.loader(Samples.object("sampling")).global("one_in", 1).clock(clock)
                .load()) {
            fixed.program("sample").run(PACKET);
            assertThat(fixed.globals().get("last_ns").asLong()).isEqualTo(5_000_000L);
        }
    }
}

package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static dev.bpfunit.assertj.BpfAssertions.assertThatLatency;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestRun;
import dev.bpfunit.spec.ProgramType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LatencyAssertTest {

    @Test
    void theMedianIsComparedSoOneNoisySampleDoesNotDecide() {
        LatencySamples noisy = new LatencySamples(List.of(100L, 110L, 90L, 105L, 5000L), 1000, 2);
        assertThat(noisy).hasAverageNsPerRunBelow(200);
        assertThatThrownBy(() -> assertThat(noisy).hasAverageNsPerRunBelow(100)).hasMessage(String.join("\n", "",
                "Expecting the median time per run to be below 100 ns, but it is not:",
                "  samples (ns per run, each over 1000 runs, after 2 warm-up samples): [100, 110, 90, 105, 5000]",
                "  median 105.0 ns, min 90 ns, max 5000 ns, spread 4662% of the median"));
        assertThatThrownBy(() -> assertThat(noisy).isSteadyWithin(0.5))
                .hasMessageStartingWith("\nExpecting the samples to vary by at most 50% around their median");
        assertThat(new LatencySamples(List.of(100L, 110L, 90L, 101L), 10, 0)).isSteadyWithin(0.15)
                .hasAverageNsPerRunBelow(101);
        assertThatThrownBy(() -> assertThat(noisy).hasAverageNsPerRunBelow(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void warmUpSamplesAreThrownAway() {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> repeats = new ArrayList<>();
        LatencySamples s = LatencySamples.measure(r -> {
            repeats.add(r);
            int n = calls.incrementAndGet();
            return new TestRun(2, new byte[0], new byte[0], new byte[0], n <= 2 ? 1_000_000 : 40 + n, r,
                    ProgramType.XDP);
        }, 2, 5, 5000);
        org.assertj.core.api.Assertions.assertThat(s.nsPerRun()).containsExactly(43L, 44L, 45L, 46L, 47L);
        org.assertj.core.api.Assertions.assertThat(repeats).hasSize(7).containsOnly(5000);
        assertThatThrownBy(() -> LatencySamples.measure(r -> new TestRun(0, new byte[0], new byte[0], new byte[0], 0, r,
                ProgramType.RAW_TRACEPOINT), 0, 3, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not time RAW_TRACEPOINT programs");
        assertThatThrownBy(() -> LatencySamples.measure(r -> null, 0, 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("samples >= 3");
    }

    @Test
    void aRealProgramWithAGenerousBound() {
        try (BpfObject obj = Fixtures.load("counter")) {
            BpfProgram p = obj.program("count_packets");
            byte[] packet = new byte[64];
            assertThatLatency(r -> p.testRun().data(packet).repeat(r).run()).hasAverageNsPerRunBelow(1_000_000);
        }
    }
}

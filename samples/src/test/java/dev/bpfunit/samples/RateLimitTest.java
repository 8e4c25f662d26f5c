package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestClock;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Deterministic;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The token bucket of rate_limit.bpf.c (burst 5, a token every 100 ms) driven by a deterministic clock through its
 * exact refill boundaries: bpf_ktime_get_ns() returns what the test's TestClock says.
 */
@BpfTest("bpf/rate_limit.bpf.o")
@Deterministic
class RateLimitTest {

    static final byte[] PACKET = Frames.udp4(new byte[] {10, 0, 0, 7}, new byte[] {10, 0, 0, 1}, 4000, 80, 16, 64);

    @Program("rate_limit") BpfProgram limiter;
    @Map("buckets") BpfMap buckets;
    TestClock clock;

    @Test
    void aFullBucketPassesTheBurstThenDrops() {
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.PASS);
        }
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.DROP);
    }

    @Test
    void aTokenComesBackExactlyEveryHundredMilliseconds() {
        clock.advance(Duration.ofSeconds(3));
        for (int i = 0; i < 5; i++) {
            limiter.run(PACKET);
        }
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.DROP);

        // snippet:clock
        clock.advanceNanos(99_999_999);                                  // 1 ns short of a token
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.DROP);
        clock.advanceNanos(1);                                           // exactly 100 ms
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.PASS);
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.DROP);
        // end:clock

        clock.advance(Duration.ofMillis(250));                           // two whole tokens, 50 ms carried over
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.PASS);
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.PASS);
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.DROP);
        clock.advance(Duration.ofMillis(50));                            // the carried 50 ms make a token
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.PASS);
        org.assertj.core.api.Assertions.assertThat(buckets.lookupValue(0).orElseThrow().get("last_ns").asLong())
                .isEqualTo(Duration.ofSeconds(3).plusMillis(400).toNanos());
    }

    @Test
    void aLongPauseRefillsNoMoreThanTheBurst() {
        for (int i = 0; i < 5; i++) {
            limiter.run(PACKET);
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.PASS);
        }
        assertThat(limiter.run(PACKET)).hasVerdict(XdpAction.DROP);
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestClock;
import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.junit.EnabledOnKernel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * exceptions.bpf.c throws a BPF exception for a long packet: the program leaves from the middle of a block and its
 * exception callback returns the verdict. Loaded plainly, with coverage counters and with deterministic helpers, it
 * behaves the same, coverage counts only what ran, and the callback's clock read is the test's clock.
 */
@EnabledOnKernel(min = "6.7", reason = "BPF exceptions: the bpf_throw kfunc and exception callbacks")
class ExceptionsTest {

    static final byte[] SHORT = Frames.udp4(new byte[] {10, 0, 0, 7}, new byte[] {10, 0, 0, 1}, 4000, 80, 16, 64);
    static final byte[] LONG = Frames.udp4(new byte[] {10, 0, 0, 7}, new byte[] {10, 0, 0, 1}, 4000, 80, 200, 64);

    @Test
    void aLongPacketThrowsAndTheCallbackGivesTheVerdict() {
        try (BpfObject obj = BpfObject.loader(Samples.object("exceptions")).coverage(false).load()) {
            exercise(obj);
        }
    }

    @Test
    void coverageCountsNeitherTheLineAfterTheThrowNorThePathItCutShort() {
        try (BpfObject obj = BpfObject.loader(Samples.object("exceptions")).coverage(true).load()) {
            exercise(obj);       // 2 short packets, 3 long ones

            CoverageData.FileCoverage f = obj.coverage().file("exceptions.bpf.c").orElseThrow();
            assertThat(line(f, "checked++").hits()).isEqualTo(5);
            assertThat(line(f, "bpf_throw(len);").hits()).isEqualTo(3);
            assertThat(line(f, "after_throw++").covered()).as("the line after bpf_throw never runs").isFalse();
            assertThat(line(f, "passed++").hits()).as("only the packets that did not throw").isEqualTo(2);
            assertThat(line(f, "caught++").hits()).as("the callback, once per throw").isEqualTo(3);
            assertThat(line(f, "if (len > max_len)").branches()).singleElement().satisfies(b -> {
                assertThat(b.notTaken()).as("fell through to the throw").isEqualTo(3);
                assertThat(b.taken()).as("jumped past it").isEqualTo(2);
            });
        }
    }

    @Test
    void theCallbacksClockReadIsTheTestsClock() {
        TestClock clock = new TestClock(Duration.ofSeconds(5));
        try (BpfObject obj = BpfObject.loader(Samples.object("exceptions")).coverage(true).clock(clock).load()) {
            exercise(obj);
            assertThat(obj.globals().get("caught_at").asLong()).isEqualTo(5_000_000_000L);
        }
    }

    private static void exercise(BpfObject obj) {
        BpfProgram guard = obj.program("guard");
        for (byte[] packet : new byte[][] {SHORT, LONG, LONG, SHORT, LONG}) {
            int expected = packet == LONG ? 2 : 0;       // TC_ACT_SHOT from the callback, TC_ACT_OK
            assertThat(guard.run(packet).retval()).as("%d-byte packet", packet.length).isEqualTo(expected);
        }
        assertThat(obj.globals().get("checked").asLong()).isEqualTo(5);
        assertThat(obj.globals().get("passed").asLong()).isEqualTo(2);
        assertThat(obj.globals().get("after_throw").asLong()).isZero();
        assertThat(obj.globals().get("caught").asLong()).isEqualTo(3);
        assertThat(obj.globals().get("last_cookie").asLong()).isEqualTo(LONG.length);
    }

    private static CoverageData.LineCoverage line(CoverageData.FileCoverage f, String text) {
        return f.lines().values().stream().filter(l -> l.text().contains(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + text + "' in " + f.lines().keySet()));
    }
}

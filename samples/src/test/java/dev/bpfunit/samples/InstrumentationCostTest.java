package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestClock;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Prints what instrumentation costs (the figures in the README): instructions the verifier processed and ns per
 * BPF_PROG_TEST_RUN run, plain, with coverage, and with deterministic helpers. Timing is printed, never asserted;
 * run it with {@code -Dbpfunit.cost=true}.
 */
@EnabledIfSystemProperty(named = "bpfunit.cost", matches = "true")
class InstrumentationCostTest {

    private static final byte[] UDP = Frames.udp4(new byte[] {10, 0, 0, 7}, new byte[] {10, 0, 0, 1}, 4000, 80, 16,
            64);

    @Test
    void printCost() {
        measure("xdp_fw", "xdp_fw", l -> l.global("blocked_port", (short) 53));
        measure("rate_limit", "rate_limit", l -> l);
        measure("sampling", "sample", l -> l);
        measure("exceptions", "guard", l -> l);
        measure("bpf2bpf", null, l -> l);
        measure("callback", null, l -> l);
    }

    private static void measure(String object, String program, UnaryOperator<BpfObjectLoader> options) {
        String[] modes = {"plain", "coverage", "deterministic"};
        for (String mode : modes) {
            BpfObjectLoader l = options.apply(BpfObject.loader(Samples.object(object)).coverage(false));
            if (mode.equals("coverage")) {
                l.coverage(true);
            } else if (mode.equals("deterministic")) {
                l.clock(new TestClock()).randomSeed(1);
            }
            try (BpfObject obj = l.load()) {
                for (BpfProgram p : obj.programs()) {
                    if (program != null && !p.name().equals(program)) {
                        continue;
                    }
                    int insns = p.spec().instructionCount();
                    int verified = p.info().verifiedInsns();
                    String ns = "";
                    if (program != null) {
                        for (int warm = 0; warm < 3; warm++) {
                            p.testRun().data(UDP).repeat(100_000).run();
                        }
                        long best = Long.MAX_VALUE;
                        for (int i = 0; i < 5; i++) {
                            best = Math.min(best, p.testRun().data(UDP).repeat(100_000).run().durationNs());
                        }
                        ns = ", " + best + " ns/run";
                    }
                    assertThat(verified).isPositive();
                    System.out.printf("COST %s/%s %s: %d insns, %d processed%s%n", object, p.name(), mode, insns,
                            verified, ns);
                }
            }
        }
    }
}

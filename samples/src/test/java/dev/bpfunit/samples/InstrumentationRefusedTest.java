package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bpfunit.BpfObject;
import dev.bpfunit.InstrumentationRefusedException;
import dev.bpfunit.VerifierCause;
import dev.bpfunit.VerifierException;
import dev.bpfunit.instrument.CoverageData;
import org.junit.jupiter.api.Test;

/**
 * instrumented_near_limit.bpf.c: the verifier accepts it as compiled (about 650,000 instructions processed of the
 * 1,000,000 it allows) but not with a coverage counter in its loop. The load says so, with both loads' outcomes,
 * the verifier's reason and the fix; {@code noCoverage} is that fix.
 */
class InstrumentationRefusedTest {

    @Test
    void aProgramRefusedOnlyWithCountersIsReportedWithTheReasonAndTheFix() {
        int plainProcessed;
        try (BpfObject plain = BpfObject.loader(Samples.object("instrumented_near_limit")).coverage(false).load()) {
            plainProcessed = plain.program("near_limit").info().verifiedInsns();
        }
        assertThat(plainProcessed).as("processed to accept the plain program").isBetween(400_000, 999_999);

        InstrumentationRefusedException e = catchThrowableOfType(() -> BpfObject.loader(
                Samples.object("instrumented_near_limit")).coverage(true).load().close(),
                InstrumentationRefusedException.class);

        assertThat(e).as("the instrumented load fails with InstrumentationRefusedException").isNotNull();
        assertThat(e.program()).isEqualTo("near_limit");
        assertThat(e.instrumentation()).isEqualTo(InstrumentationRefusedException.Instrumentation.COVERAGE);
        assertThat(e.plainProcessedInstructions()).contains(plainProcessed);
        assertThat(e.instrumentedInstructions()).isGreaterThan(e.plainInstructions());
        assertThat(e.refusal()).isInstanceOf(VerifierException.class);
        assertThat(e.refusal().rejectionCause()).isIn(VerifierCause.COMPLEXITY_LIMIT, VerifierCause.UNBOUNDED_LOOP);
        assertThat(e.objectName()).isEqualTo("instrumented_near_limit.bpf.o");
        assertThat(e.getMessage())
                .startsWith("object instrumented_near_limit.bpf.o: program 'near_limit' cannot be instrumented: "
                        + "the verifier accepts it as compiled (" + e.plainInstructions() + " instructions, "
                        + plainProcessed + " processed) but refuses it with coverage counters ("
                        + e.instrumentedInstructions() + " instructions)")
                .contains("BPF program is too large. Processed 1000001 insn")
                .contains("fix: leave this program out of coverage with BpfObjectLoader.noCoverage(\"near_limit\")");
        // the verifier gave up at its limit: the refusal is that of the statistics-only load, without the trace of
        // a million instructions of bpfunit's rewrite (5x that load's time on 6.4+ kernels)
        assertThat(e.refusal().errno()).isEqualTo("E2BIG");
        assertThat(e.refusal().verifierLog().statisticsOnly()).isTrue();
        assertThat(e.refusal().verifierLog().path()).isEmpty();
        assertThat(e.refusal().verifierLog().processedInstructions()).hasValue(1_000_001);
        assertThat(e.getMessage()).contains("statistics only; BpfObjectLoader.logLevel(1) logs the instrumented "
                + "program's trace");
        System.out.println(e.getMessage());
    }

    @Test
    void aProgramRefusedAsCompiledTooIsReportedWithItsOwnDiagnosis() {
        VerifierException plain = catchThrowableOfType(() -> BpfObject.loader(Samples.object("rejected"))
                .coverage(false).load().close(), VerifierException.class);
        assertThat(plain).as("rejected.bpf.o is refused as compiled").isNotNull();
        int plainAt = plain.verifierLog().failingInstruction().orElseThrow().index();

        Throwable thrown = catchThrowable(() -> BpfObject.loader(
                Samples.object("rejected")).coverage(true).load().close());

        assertThat(thrown).as("the plain program's rejection, not an InstrumentationRefusedException")
                .isInstanceOf(VerifierException.class);
        VerifierException reported = (VerifierException) thrown;
        // the plain program's diagnosis (the counters move every instruction after the first block)
        assertThat(reported.verifierLog().failingInstruction().orElseThrow().index()).isEqualTo(plainAt);
        assertThat(reported.rejectionCause()).isEqualTo(plain.rejectionCause()).isEqualTo(VerifierCause.NULL_CHECK);
        assertThat(reported.verifierLog().statisticsOnly()).isFalse();
        // the same path, without the counters' instructions
        assertThat(reported.verifierLog().path()).isEqualTo(plain.verifierLog().path());
        // (the graph shows each load's own map fd: the same once that is masked)
        assertThat(reported.controlFlowGraphDot().map(InstrumentationRefusedTest::withoutFds))
                .isEqualTo(plain.controlFlowGraphDot().map(InstrumentationRefusedTest::withoutFds));
    }

    @Test
    void leftOutOfCoverageItLoadsAndTheReportSaysSo() {
        try (BpfObject obj = BpfObject.loader(Samples.object("instrumented_near_limit")).coverage(true)
                .noCoverage("near_limit").load()) {
            assertThat(obj.program("near_limit").run(new byte[64]).retval()).isBetween(1, 2);
            CoverageData data = obj.coverage();
            assertThat(data.notes()).anyMatch(n -> n.contains("'near_limit'") && n.contains("noCoverage"));
            assertThat(data.files()).isEmpty();
        }
    }

    private static String withoutFds(String dot) {
        return dot.replaceAll("map\\[fd:\\d+\\]", "map[fd]");
    }
}

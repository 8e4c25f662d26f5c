package dev.bpfunit.assertj;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.ProgramInfo;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.GlobalVariable;
import dev.bpfunit.Globals;
import dev.bpfunit.TestRun;
import dev.bpfunit.VerifierException;
import dev.bpfunit.packet.Packet;
import java.util.function.IntFunction;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.assertj.core.description.TextDescription;
import org.assertj.core.presentation.StandardRepresentation;

/**
 * The entry point of bpfunit's AssertJ assertions: {@code assertThat} for test runs, maps, global
 * variables, programs, loaders and verifier rejections, and latency measurements.
 *
 * <pre>{@code
 * assertThat(fw.run(packet)).hasVerdict(XdpAction.DROP).hasDataUnchanged();
 * assertThat(tc.run(packet)).outputPacket().ipv4().hasTtl(63).hasValidChecksum();
 * assertThat(stats).hasPerCpuSum(XdpAction.DROP.raw(), "packets", 1);
 * assertThatVerifierRejects(BpfObject.loader(path)).withMessageMatching("map_value_or_null").atSourceLine(27);
 * }</pre>
 */
public final class BpfAssertions {

    private BpfAssertions() {
    }

    public static TestRunAssert assertThat(TestRun actual) {
        return new TestRunAssert(actual);
    }

    /** Assertions on a packet, built or parsed: equality with a diff by field, its layers, checksums, headers. */
    public static PacketAssert assertThat(Packet actual) {
        return new PacketAssert(actual);
    }

    public static BpfMapAssert assertThat(BpfMap actual) {
        return new BpfMapAssert(actual);
    }

    public static GlobalsAssert assertThat(Globals actual) {
        return new GlobalsAssert(actual);
    }

    public static GlobalVariableAssert assertThat(GlobalVariable actual) {
        return new GlobalVariableAssert(actual);
    }

    public static BpfProgramAssert assertThat(BpfProgram actual) {
        return new BpfProgramAssert(actual);
    }

    public static BpfObjectLoaderAssert assertThat(BpfObjectLoader actual) {
        return new BpfObjectLoaderAssert(actual);
    }

    public static VerifierExceptionAssert assertThat(VerifierException actual) {
        return new VerifierExceptionAssert(actual);
    }

    public static LatencyAssert assertThat(LatencySamples actual) {
        return new LatencyAssert(actual);
    }

    /** Run counts and average run time of a program attached in the live kernel ({@code program.info()}). */
    public static ProgramInfoAssert assertThat(ProgramInfo actual) {
        return new ProgramInfoAssert(actual);
    }

    /** Loads with {@code loader} and expects the verifier to reject a program (the object is closed if it loads). */
    public static VerifierExceptionAssert assertThatVerifierRejects(BpfObjectLoader loader) {
        return new BpfObjectLoaderAssert(loader).isRejectedByVerifier();
    }

    /** Runs {@code load} and expects it to throw a {@link VerifierException}. */
    public static VerifierExceptionAssert assertThatVerifierRejects(ThrowingCallable load) {
        try {
            load.call();
        } catch (VerifierException e) {
            return new VerifierExceptionAssert(e);
        } catch (Throwable t) {
            throw failure(BpfErrors.shouldBeRejectedByVerifier(t));
        }
        throw failure(BpfErrors.shouldBeRejected("the load"));
    }

    /**
     * Measures a program with the defaults of {@link LatencySamples} ({@value LatencySamples#DEFAULT_WARMUPS}
     * warm-up samples, {@value LatencySamples#DEFAULT_SAMPLES} samples of {@value LatencySamples#DEFAULT_REPEAT}
     * runs): {@code run} gets the repeat count, e.g. {@code r -> prog.testRun().data(packet).repeat(r).run()}.
     */
    public static LatencyAssert assertThatLatency(IntFunction<TestRun> run) {
        return new LatencyAssert(LatencySamples.measure(run));
    }

    private static AssertionError failure(org.assertj.core.error.ErrorMessageFactory factory) {
        return new AssertionError(factory.create(new TextDescription(""), new StandardRepresentation()));
    }
}

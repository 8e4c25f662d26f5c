package dev.bpfunit.assertj;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.GlobalVariable;
import dev.bpfunit.Globals;
import dev.bpfunit.TestRun;
import dev.bpfunit.VerifierException;
import dev.bpfunit.packet.Packet;
import org.assertj.core.api.AbstractSoftAssertions;

/**
 * Soft assertions over bpfunit's types: every failure is collected and reported together by
 * {@link #assertAll()} (or by AssertJ's {@code SoftAssertionsExtension}).
 *
 * <pre>{@code
 * BpfSoftAssertions softly = new BpfSoftAssertions();
 * softly.assertThat(run).hasVerdict(XdpAction.DROP);
 * softly.assertThat(blocklist).containsKey(addr);
 * softly.assertAll();
 * }</pre>
 */
public class BpfSoftAssertions extends AbstractSoftAssertions {

    public TestRunAssert assertThat(TestRun actual) {
        return proxy(TestRunAssert.class, TestRun.class, actual);
    }

    public PacketAssert assertThat(Packet actual) {
        return proxy(PacketAssert.class, Packet.class, actual);
    }

    public BpfMapAssert assertThat(BpfMap actual) {
        return proxy(BpfMapAssert.class, BpfMap.class, actual);
    }

    public GlobalsAssert assertThat(Globals actual) {
        return proxy(GlobalsAssert.class, Globals.class, actual);
    }

    public GlobalVariableAssert assertThat(GlobalVariable actual) {
        return proxy(GlobalVariableAssert.class, GlobalVariable.class, actual);
    }

    public BpfProgramAssert assertThat(BpfProgram actual) {
        return proxy(BpfProgramAssert.class, BpfProgram.class, actual);
    }

    public VerifierExceptionAssert assertThat(VerifierException actual) {
        return proxy(VerifierExceptionAssert.class, VerifierException.class, actual);
    }

    public LatencyAssert assertThat(LatencySamples actual) {
        return proxy(LatencyAssert.class, LatencySamples.class, actual);
    }
}

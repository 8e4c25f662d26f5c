package dev.bpfunit.jmh.suite;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.jmh.Samples;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Program;

import org.junit.jupiter.api.RepeatedTest;

/**
 * The test class {@link dev.bpfunit.jmh.SuiteBenchmark} runs through the JUnit Platform launcher: {@value #TESTS}
 * tests, each with a fresh {@code xdp_fw} object (instance fields: loaded before, closed after every test), each
 * running the program once on the benchmark packet. The C counterpart is {@code libbpf_bench}'s {@code suite} row:
 * {@value #TESTS} x (open, load, one test run, close).
 */
@BpfTest("bpf/xdp_fw.bpf.o")
public class FreshObjectSuite {

    /** How many tests the class has. */
    public static final int TESTS = 200;

    private static final byte[] PACKET = Samples.udpPacket();

    BpfObject object;
    @Program("xdp_fw") BpfProgram program;

    @RepeatedTest(TESTS)
    void passesTheUdpPacket() {
        if (program.run(PACKET).xdpAction() != XdpAction.PASS) {
            throw new AssertionError("xdp_fw did not pass the benchmark packet");
        }
    }
}

package dev.bpfunit.jmh;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestRun;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Measures {@code BPF_PROG_TEST_RUN} of xdp_fw on a 64-byte UDP packet: the cost of one
 * {@code BpfProgram#run(packet)} call from Java, and a {@code testRun().repeat(REPEAT)} call per repetition
 * together with the kernel's own average ({@code TestRun#durationNs}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TestRunBenchmark {

    /** Repetitions per call in {@link #repeat}; compare.sh passes the same number to the C harness. */
    public static final int REPEAT = 1000;

    private Path dir;
    private BpfObject obj;
    private BpfProgram program;
    private byte[] packet;

    /**
     * The kernel's timing of {@link #repeat}: JMH sums both counters over the measured iterations, so the
     * kernel's average per repetition is {@code kernelNsSum / kernelRuns}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class KernelTime {
        /** The sum of {@code TestRun#durationNs} (itself an average per repetition) over the calls. */
        public long kernelNsSum;
        /** The number of calls summed in {@link #kernelNsSum}. */
        public long kernelRuns;
    }

    /** Loads xdp_fw. */
    @Setup
    public void setUp() {
        dir = Samples.tempDir();
        obj = BpfObject.load(Samples.extract(Samples.XDP_FW, dir));
        program = obj.program("xdp_fw");
        packet = Samples.udpPacket();
    }

    /** Closes the object and removes its temporary copy. */
    @TearDown
    public void tearDown() {
        Samples.closeAndDelete(obj, dir);
    }

    /** One {@code run(packet)}: building the attr, the syscall with repeat 1, copying the output back. */
    @Benchmark
    public TestRun run() {
        return program.run(packet);
    }

    /** One call with {@link #REPEAT} repetitions, reported per repetition; the kernel's figure goes to {@code time}. */
    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public TestRun repeat(KernelTime time) {
        TestRun run = program.testRun().data(packet).repeat(REPEAT).run();
        time.kernelNsSum += run.durationNs();
        time.kernelRuns++;
        return run;
    }
}

package dev.bpfunit.jmh;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.RingBuffer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Measures a ring buffer read as a test uses one: a test run of ringbuf's {@code ringbuf_event} (which submits one
 * 16-byte {@code struct event} to {@code events}) on the 64-byte packet, then reading that record back with
 * {@code poll()}. compare.sh's C side does the same with {@code bpf_prog_test_run_opts} and
 * {@code ring_buffer__consume}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RingBufferBenchmark {

    private Path dir;
    private BpfObject obj;
    private BpfProgram program;
    private RingBuffer events;
    private byte[] packet;

    /** Loads ringbuf and maps its ring buffer. */
    @Setup
    public void setUp() {
        dir = Samples.tempDir();
        obj = BpfObject.load(Samples.extract(Samples.RINGBUF, dir));
        program = obj.program("ringbuf_event");
        events = obj.map("events").ringBuffer();
        packet = Samples.udpPacket();
    }

    /** Closes the object (and with it the ring buffer's mappings) and removes its temporary copy. */
    @TearDown
    public void tearDown() {
        Samples.closeAndDelete(obj, dir);
    }

    /** One test run submitting one record, and {@code poll()} of that record. */
    @Benchmark
    public byte[] runAndRead() {
        program.run(packet);
        return events.poll().orElseThrow(() -> new IllegalStateException("ringbuf_event submitted no record"));
    }
}

package dev.bpfunit.jmh;

import dev.bpfunit.BpfObject;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The first load of an object in a fresh JVM, what a user waits for when a test suite starts: single shot, one
 * per fork, no warm-up. {@code core_tc} has CO-RE relocations, so its first load also reads the running kernel's
 * BTF ({@code /sys/kernel/btf/vmlinux}); {@code xdp_fw} has none, which separates the JVM's own cold start (class
 * loading, interpreter) from the kernel BTF's part. The C counterpart in {@code compare.sh} is a fresh process's
 * {@code bpf_object__open_file} + {@code bpf_object__load} + {@code bpf_object__close}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(5)
public class FirstLoadBenchmark {

    /** The sample object to load first, {@code <object>.bpf.o}. */
    @Param({"core_tc", "xdp_fw"})
    public String object;

    private Path dir;
    private Path path;

    /** Copies the object to a temporary file. */
    @Setup
    public void setUp() {
        dir = Samples.tempDir();
        path = Samples.extract(object, dir);
    }

    /** Removes the temporary copy. */
    @TearDown
    public void tearDown() {
        Samples.deleteTree(dir);
    }

    /** Loads the object into the kernel and closes it; returns the number of programs loaded. */
    @Benchmark
    public int firstLoad() {
        try (BpfObject obj = BpfObject.load(path)) {
            return obj.programs().size();
        }
    }
}

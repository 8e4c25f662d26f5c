package dev.bpfunit.jmh;

import dev.bpfunit.BpfObject;
import dev.bpfunit.spec.ObjectSpec;

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
 * Measures what opening a BPF object costs: the whole {@code BpfObject.load} (ELF and BTF parsing, BTF and map
 * creation, relocation, the verifier, then closing it all) and the parse alone
 * ({@code BpfObject.loader(path).spec()}, no kernel involved).
 *
 * <p>{@code xdp_fw} is one XDP program and three maps; {@code multi_prog} has nine programs of eight types
 * and a {@code .bss} map; {@code core_tc} has CO-RE relocations against the running kernel's BTF (which libbpf
 * reads for every load, bpfunit once per JVM). The C counterpart in {@code compare.sh} is {@code bpf_object__open_file} +
 * {@code bpf_object__load} + {@code bpf_object__close}, and {@code bpf_object__open_file} + close for the parse.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LoadBenchmark {

    /** The sample object to load, {@code <object>.bpf.o}. */
    @Param({"xdp_fw", "multi_prog", "core_tc"})
    public String object;

    private Path dir;
    private Path path;

    /** Copies the object to a temporary file: every load reads it from disk, as libbpf does. */
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
    public int load() {
        try (BpfObject obj = BpfObject.load(path)) {
            return obj.programs().size();
        }
    }

    /** Reads and parses the ELF object (programs, maps, BTF, relocations) without touching the kernel. */
    @Benchmark
    public ObjectSpec parse() {
        return BpfObject.loader(path).spec();
    }
}

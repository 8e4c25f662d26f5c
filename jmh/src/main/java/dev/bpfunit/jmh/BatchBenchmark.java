package dev.bpfunit.jmh;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;

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

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures the batch calls on xdp_fw's {@code blocklist} holding {@value #ENTRIES} keys: one
 * {@code BPF_MAP_LOOKUP_BATCH} reading them all ({@code lookupBatch()}, which asks for up to 256 at a time, as
 * compare.sh's C side does) and one {@code BPF_MAP_UPDATE_BATCH} writing them all.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BatchBenchmark {

    /** Keys in the map and in each batch; compare.sh's C side uses the same number. */
    public static final int ENTRIES = 64;

    private Path dir;
    private BpfObject obj;
    private BpfMap blocklist;
    private List<byte[]> keys;
    private List<byte[]> values;

    /** Loads xdp_fw and writes {@link #ENTRIES} keys (10.0.1.0 - 10.0.1.63) into its blocklist. */
    @Setup
    public void setUp() {
        dir = Samples.tempDir();
        obj = BpfObject.load(Samples.extract(Samples.XDP_FW, dir));
        blocklist = obj.map("blocklist");
        keys = new ArrayList<>();
        values = new ArrayList<>();
        for (int i = 0; i < ENTRIES; i++) {
            keys.add(new byte[]{10, 0, 1, (byte) i});
            // struct block_reason { __u32 rule_id; __u32 flags; } = { i, 0 }
            values.add(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(i).putInt(0).array());
        }
        blocklist.updateBatch(keys, values, BpfMap.ANY);
    }

    /** Closes the object and removes its temporary copy. */
    @TearDown
    public void tearDown() {
        Samples.closeAndDelete(obj, dir);
    }

    /** {@code lookupBatch()}: every entry, copied into {@link BpfMap.Entry}s. */
    @Benchmark
    public List<BpfMap.Entry> lookupBatch() {
        return blocklist.lookupBatch();
    }

    /** {@code updateBatch(keys, values, ANY)} of the {@link #ENTRIES} present keys; returns how many were written. */
    @Benchmark
    public int updateBatch() {
        return blocklist.updateBatch(keys, values, BpfMap.ANY);
    }
}

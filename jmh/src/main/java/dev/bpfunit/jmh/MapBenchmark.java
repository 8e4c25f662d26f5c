package dev.bpfunit.jmh;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.btf.BtfValue;

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Measures lookups and updates of one present key in xdp_fw's {@code blocklist} (a hash map, {@code __u32}
 * key, {@code struct block_reason} value), with raw bytes and with values encoded and decoded by BTF.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapBenchmark {

    /** The key: 10.0.0.99 in network order, as xdp_fw reads {@code ip->saddr}. */
    static final byte[] KEY = {10, 0, 0, 99};

    private Path dir;
    private BpfObject obj;
    private BpfMap blocklist;
    private byte[] value;
    private int keyNumber;
    private Map<String, Object> reason;

    /** Loads xdp_fw and puts the key in its blocklist. */
    @Setup
    public void setUp() {
        dir = Samples.tempDir();
        obj = BpfObject.load(Samples.extract(Samples.XDP_FW, dir));
        blocklist = obj.map("blocklist");
        // struct block_reason { __u32 rule_id; __u32 flags; } = { 7, 0 }
        value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(7).putInt(0).array();
        // the same key as a __u32 number, which BTF encodes in the machine's byte order
        keyNumber = ByteBuffer.wrap(KEY).order(ByteOrder.nativeOrder()).getInt();
        reason = Map.of("rule_id", 7, "flags", 0);
        blocklist.update(KEY, value);
    }

    /** Closes the object and removes its temporary copy. */
    @TearDown
    public void tearDown() {
        Samples.closeAndDelete(obj, dir);
    }

    /** {@code lookup(byte[])}: the syscall and a copy of the 8-byte value. */
    @Benchmark
    public Optional<byte[]> lookupBytes() {
        return blocklist.lookup(KEY);
    }

    /** {@code update(byte[], byte[])} of the present key ({@code BPF_ANY}). */
    @Benchmark
    public BpfMap updateBytes() {
        blocklist.update(KEY, value);
        return blocklist;
    }

    /** {@code lookupValue(number)}: the key encoded by its BTF type, the value decoded into fields. */
    @Benchmark
    public Optional<BtfValue> lookupValue() {
        return blocklist.lookupValue(keyNumber);
    }

    /** {@code updateValue(number, Map)}: key and value encoded by BTF from a number and a map of fields. */
    @Benchmark
    public BpfMap updateValue() {
        blocklist.updateValue(keyNumber, reason);
        return blocklist;
    }
}

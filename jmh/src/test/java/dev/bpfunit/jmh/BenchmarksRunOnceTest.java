package dev.bpfunit.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.spec.ObjectSpec;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs every benchmark method once, outside JMH, with its state set up and torn down as JMH would: a check
 * that the benchmarks work and measure what they say, not a measurement.
 */
class BenchmarksRunOnceTest {

    private static final List<Class<?>> BENCHMARKS = List.of(LoadBenchmark.class, FirstLoadBenchmark.class,
            SuiteBenchmark.class, TestRunBenchmark.class, MapBenchmark.class, BatchBenchmark.class,
            RingBufferBenchmark.class);

    @TestFactory
    Stream<DynamicTest> eachBenchmarkRunsOnceAndClosesWhatItOpened() {
        return BENCHMARKS.stream().flatMap(type -> paramValues(type).stream().flatMap(param ->
                benchmarkMethods(type).stream().map(method -> DynamicTest.dynamicTest(
                        type.getSimpleName() + "." + method.getName() + (param == null ? "" : " [" + param + "]"),
                        () -> runOnce(type, param, method)))));
    }

    @Test
    void theAnnotationProcessorListedEveryBenchmark() throws IOException {
        String list;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertThat(in).as("META-INF/BenchmarkList (made by jmh-generator-annprocess)").isNotNull();
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Class<?> type : BENCHMARKS) {
            for (Method m : benchmarkMethods(type)) {
                assertThat(list).contains(type.getPackageName() + ".jmh_generated." + type.getSimpleName() + "_"
                        + m.getName() + "_jmhTest");
            }
        }
    }

    @Test
    void thePacketIs64BytesOfIpv4Udp() {
        byte[] packet = Samples.udpPacket();
        assertThat(packet).hasSize(Samples.PACKET_SIZE);
        assertThat(packet[12]).as("EtherType, high byte").isEqualTo((byte) 0x08);
        assertThat(packet[13]).as("EtherType, low byte").isEqualTo((byte) 0x00);
        assertThat(packet[23]).as("IPv4 protocol").isEqualTo((byte) 17);
    }

    private static void runOnce(Class<?> type, String param, Method method) throws Exception {
        List<String> before = kernelObjectsAndTempDirs();
        Object bench = type.getConstructor().newInstance();
        if (param != null) {
            paramField(type).set(bench, param);
        }
        Object[] args = Arrays.stream(method.getParameterTypes()).map(BenchmarksRunOnceTest::newState).toArray();
        invokeAll(bench, Setup.class);
        try {
            check(method.invoke(bench, args));   // before tear-down: a returned map is still open
        } finally {
            invokeAll(bench, TearDown.class);
        }
        for (Object state : args) {
            if (state instanceof TestRunBenchmark.KernelTime time) {
                assertThat(time.kernelRuns).isEqualTo(1);
                assertThat(time.kernelNsSum).isPositive();
            }
        }
        assertThat(kernelObjectsAndTempDirs()).as("BPF fds and temporary directories after tear-down")
                .containsExactlyElementsOf(before);
    }

    private static void check(Object result) {
        assertThat(result).isNotNull();
        if (result instanceof TestRun run) {
            assertThat(run.xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(run.dataOut()).isEqualTo(Samples.udpPacket());
        } else if (result instanceof Optional<?> found) {
            Object value = found.orElseThrow();
            assertThat(value instanceof BtfValue v ? v.get("rule_id").asLong() : ruleId((byte[]) value)).isEqualTo(7);
        } else if (result instanceof BpfMap map) {
            assertThat(map.lookup(MapBenchmark.KEY)).hasValueSatisfying(v -> assertThat(ruleId(v)).isEqualTo(7));
        } else if (result instanceof ObjectSpec spec) {
            assertThat(spec.programs()).isNotEmpty();
        } else if (result instanceof Integer count) {
            assertThat(count).isPositive();
        } else if (result instanceof Long tests) {
            assertThat(tests).as("tests of the suite that passed")
                    .isEqualTo(dev.bpfunit.jmh.suite.FreshObjectSuite.TESTS);
        } else if (result instanceof List<?> entries) {
            // BatchBenchmark.lookupBatch: every key it wrote, each with its own rule_id
            assertThat(entries).hasSize(BatchBenchmark.ENTRIES);
            for (Object e : entries) {
                BpfMap.Entry entry = (BpfMap.Entry) e;
                assertThat(ruleId(entry.value())).isEqualTo(entry.key()[3] & 0xff);
            }
        } else if (result instanceof byte[] record) {
            // RingBufferBenchmark: struct event { __u64 seq; __u32 frame_len; __u16 eth_proto; __u16 pad; }
            ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
            assertThat(record).hasSize(16);
            assertThat(b.getLong(0)).as("seq").isPositive();
            assertThat(b.getInt(8)).as("frame_len").isEqualTo(Samples.PACKET_SIZE);
            assertThat(b.getShort(12)).as("eth_proto").isEqualTo((short) 0x0800);
        } else {
            throw new AssertionError("no check for a benchmark result of " + result.getClass());
        }
    }

    /** {@code struct block_reason.rule_id}: the first native-order u32 of the value. */
    private static long ruleId(byte[] value) {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    private static List<Method> benchmarkMethods(Class<?> type) {
        return Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class)).toList();
    }

    private static List<String> paramValues(Class<?> type) {
        Field f = paramField(type);
        return f == null ? Collections.singletonList(null) : List.of(f.getAnnotation(Param.class).value());
    }

    private static Field paramField(Class<?> type) {
        return Arrays.stream(type.getFields()).filter(f -> f.isAnnotationPresent(Param.class)).findFirst()
                .orElse(null);
    }

    private static Object newState(Class<?> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot make the state " + type.getName(), e);
        }
    }

    private static void invokeAll(Object bench, Class<? extends Annotation> level) throws IllegalAccessException {
        for (Method m : bench.getClass().getMethods()) {
            if (!m.isAnnotationPresent(level)) {
                continue;
            }
            try {
                m.invoke(bench);
            } catch (InvocationTargetException e) {
                throw new AssertionError(bench.getClass().getSimpleName() + "." + m.getName() + " failed",
                        e.getCause());
            }
        }
    }

    /**
     * The process's BPF objects (programs, maps, BTF, links: anonymous inodes) and the benchmarks' temporary
     * directories; the JVM's own lazily opened files are left out.
     */
    private static List<String> kernelObjectsAndTempDirs() throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("anon_inode:")) {
                        open.add("fd " + fd.getFileName() + " -> " + target);
                    }
                } catch (IOException e) {
                    // closed while listed (the directory stream's own fd)
                }
            }
        }
        try (Stream<Path> tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            tmp.filter(p -> p.getFileName().toString().startsWith(Samples.TEMP_PREFIX))
                    .forEach(p -> open.add(p.toString()));
        }
        open.sort(null);
        return open;
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestClock;
import dev.bpfunit.TestRun;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every committed sample object, loaded plainly and instrumented (coverage counters and deterministic helpers):
 * whatever loads one way loads the other, and every program that BPF_PROG_TEST_RUN can run gives the same return
 * value, output packet and map contents for the same packets.
 */
class InstrumentedLoadTest {

    private static final Set<ProgramType> PACKET_TYPES = Set.of(ProgramType.XDP, ProgramType.SCHED_CLS,
            ProgramType.SCHED_ACT, ProgramType.SOCKET_FILTER, ProgramType.CGROUP_SKB);

    private static final byte[] A = {10, 0, 0, 66};
    private static final byte[] B = {10, 0, 0, 1};

    static List<byte[]> packets() {
        return List.of(Frames.udp4(A, B, 4000, 53, 16, 64), Frames.udp4(A, B, 4000, 80, 16, 1),
                Frames.tcp4(A, B, 4000, 443), Frames.tcp4(B, A, 22, 5000),
                Frames.ethernet(0x0806, new byte[28]), Frames.ethernet(0x86dd, new byte[60]), new byte[14]);
    }

    private static final java.util.Set<String> VERIFIER_LIMIT_OBJECTS = java.util.Set.of(
            "rejected_complexity.bpf.o", "rejected_unbounded_loop.bpf.o", "instrumented_near_limit.bpf.o");

    @TestFactory
    Stream<DynamicTest> everyCommittedObjectBehavesTheSameInstrumented() throws IOException {
        Path dir = Samples.object("xdp_fw").getParent();
        List<Path> objects;
        try (Stream<Path> s = Files.list(dir)) {
            // Left out: the two objects that drive the verifier to its limit of 1,000,000 processed instructions, and
            // the one that reaches it only instrumented (InstrumentationRefusedTest shows what its load says).
            // Each load of them runs the verifier that far several times (without a log, then with one; before
            // 6.4 the log's buffer grows to 2 MB and one more load with statistics only gives its end), up to a
            // minute in a TCG guest; they only show again that a refused object is refused, which
            // RejectionCauseTest shows for them.
            objects = s.filter(p -> p.toString().endsWith(".bpf.o"))
                    .filter(p -> !VERIFIER_LIMIT_OBJECTS.contains(p.getFileName().toString()))
                    .sorted().toList();
        }
        assertThat(objects).hasSizeGreaterThan(20);
        return objects.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> compare(p)));
    }

    private static void compare(Path object) {
        // an object whose results depend on time or randomness runs with deterministic helpers both ways
        boolean timeOrRandom;
        try {
            timeOrRandom = usesDeterministicHelpers(object);
        } catch (RuntimeException e) {
            timeOrRandom = false;
        }
        UnaryOperator<BpfObjectLoader> base = timeOrRandom
                ? l -> l.clock(new TestClock(Duration.ofSeconds(1))).randomSeed(7) : l -> l;
        Map<String, List<String>> plain;
        String plainFailure = null;
        try (BpfObject obj = base.apply(BpfObject.loader(object)).coverage(false).load()) {
            plain = exercise(obj);
        } catch (RuntimeException e) {
            plain = null;
            plainFailure = e.getClass().getSimpleName();
        }
        Map<String, List<String>> instrumented;
        String instrumentedFailure = null;
        try (BpfObject obj = base.apply(BpfObject.loader(object)).coverage(true).load()) {
            instrumented = exercise(obj);
            assertThat(obj.coverageLayout()).isPresent();
        } catch (RuntimeException e) {
            instrumented = null;
            instrumentedFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (plain == null) {
            // an object this kernel refuses (rejected.bpf.o, fentry without trampolines...) is refused both ways
            assertThat(instrumentedFailure).as("instrumented load of an object that fails plainly (%s)",
                    plainFailure).isNotNull();
            return;
        }
        assertThat(instrumentedFailure).as("instrumented load").isNull();
        assertThat(instrumented).isEqualTo(plain);
        if (!timeOrRandom) {
            // deterministic helpers change nothing in a program that does not call them
            try (BpfObject obj = BpfObject.loader(object).coverage(true).clock(new TestClock()).randomSeed(7)
                    .load()) {
                assertThat(exercise(obj)).as("coverage and deterministic helpers").isEqualTo(plain);
            }
        }
    }

    private static boolean usesDeterministicHelpers(Path object) {
        java.util.Set<String> helpers = Set.of("bpf_ktime_get_ns", "bpf_ktime_get_boot_ns", "bpf_ktime_get_coarse_ns",
                "bpf_jiffies64", "bpf_get_prandom_u32", "bpf_get_smp_processor_id");
        return BpfObject.loader(object).spec().programs().stream().anyMatch(p -> {
            byte[] code = p.instructions();
            for (int i = 0; i < p.instructionCount(); i++) {
                dev.bpfunit.asm.Instruction in = dev.bpfunit.asm.Instruction.decode(code, i);
                if (in.isHelperCall() && helpers.contains(dev.bpfunit.asm.Disassembler.helperName(in.imm()))) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Runs each packet program on each packet; returns per program the results and the maps afterwards. */
    private static Map<String, List<String>> exercise(BpfObject obj) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (BpfProgram p : obj.programs()) {
            List<String> results = new ArrayList<>();
            if (PACKET_TYPES.contains(p.type())) {
                for (byte[] packet : packets()) {
                    TestRun r = p.run(packet);
                    results.add(r.retval() + " " + HexFormat.of().formatHex(r.dataOut()));
                }
            }
            out.put(p.name(), results);
        }
        List<String> maps = new ArrayList<>();
        for (BpfMap m : obj.maps()) {
            if (m.type() == MapType.HASH || m.type() == MapType.ARRAY || m.type() == MapType.LRU_HASH) {
                for (BpfMap.Entry e : m.entries()) {
                    maps.add(m.name() + " " + e);
                }
            }
        }
        java.util.Collections.sort(maps);        // hash maps iterate in no fixed order
        out.put("maps", maps);
        return out;
    }
}

package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.MapInfo;
import dev.bpfunit.ProgramInfo;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loads each sample object both with bpfunit and with Debian's bpftool (libbpf) in the same run, and checks
 * that the kernel sees the same programs (name, type, translated instruction count) and the same maps
 * (kernel name, type, key and value size, max_entries, flags).
 */
class DifferentialTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xdp_fw", "tc_rewrite", "socket_filter", "globals", "bpf2bpf", "callback", "tailcall",
            "map_in_map", "ringbuf", "multi_prog", "percpu_queue", "custom_section", "run_types"})
    void sameProgramsAndMapsAsBpftool(String name) {
        boolean custom = name.equals("custom_section");
        // coverage(false): the translated instructions are compared with bpftool's
        BpfObjectLoader loader = BpfObject.loader(object(name)).coverage(false);
        if (custom) {
            loader.programType("icmp_echo", ProgramType.XDP);
        }
        try (Bpftool.Loaded reference = Bpftool.loadAll(object(name), custom ? "xdp" : null);
             BpfObject ours = loader.load()) {
            Map<String, String> expectedPrograms = new TreeMap<>();
            for (Bpftool.ProgInfo p : reference.programs()) {
                expectedPrograms.put(p.name(), p.type() + " xlated " + p.xlatedInstructions());
            }
            Map<String, String> actualPrograms = new TreeMap<>();
            for (BpfProgram p : ours.programs()) {
                ProgramInfo info = p.info();
                String type = info.type().name().toLowerCase(Locale.ROOT);
                // bpftool shows the full name from BTF; the kernel keeps 15 characters
                assertThat(info.name()).isEqualTo(p.name().substring(0, Math.min(15, p.name().length())));
                actualPrograms.put(p.name(), type + " xlated " + info.xlatedProgLen() / 8);
            }
            assertThat(actualPrograms).isEqualTo(expectedPrograms);

            Map<String, String> expectedMaps = new TreeMap<>();
            for (Bpftool.MapInfo m : reference.maps()) {
                expectedMaps.put(m.name(), String.format("%s key %d value %d max %d flags 0x%x", m.type(),
                        m.keySize(), m.valueSize(), m.maxEntries(), m.flags()));
            }
            Map<String, String> actualMaps = new TreeMap<>();
            for (BpfMap m : ours.maps()) {
                MapInfo info = m.info();
                String type = MapType.of(info.typeNumber()).orElseThrow().name().toLowerCase(Locale.ROOT);
                actualMaps.put(info.name(), String.format("%s key %d value %d max %d flags 0x%x", type,
                        info.keySize(), info.valueSize(), info.maxEntries(), info.flags()));
            }
            assertThat(actualMaps).isEqualTo(expectedMaps);
        }
    }
}

package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.Features;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Features} against this kernel, compared with what {@code bpftool feature probe} says. */
class FeaturesTest {

    /** bpftool's plain-text probe output: "eBPF program_type xdp is available" and the like. */
    static String bpftoolProbe() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", "feature", "probe", "kernel").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void programAndMapTypesAgreeWithBpftool() throws Exception {
        String probe = bpftoolProbe();
        List<String> compared = new ArrayList<>();
        Matcher m = Pattern.compile("eBPF (program_type|map_type) (\\w+) is (NOT )?available").matcher(probe);
        while (m.find()) {
            String name = m.group(2).toUpperCase(Locale.ROOT);
            boolean available = m.group(3) == null;
            if (m.group(1).equals("program_type")) {
                ProgramType t = ProgramType.valueOf(name);
                if (t == ProgramType.TRACING) {
                    continue; // bpftool 7.1 probes fentry, which this kernel refuses; see below
                }
                assertThat(Features.programType(t)).as("program type " + t).isEqualTo(available);
            } else {
                MapType t = MapType.valueOf(name);
                assertThat(Features.mapType(t)).as("map type " + t).isEqualTo(available);
            }
            compared.add(name);
        }
        assertThat(compared).as("bpftool's answers").contains("XDP", "SCHED_CLS", "HASH", "RINGBUF").hasSizeGreaterThan(40);
    }

    @Test
    void tracingProgramsAreFoundThroughTpBtf() {
        // This kernel loads tp_btf tracing programs (samples/tracing.bpf.o's on_switch is one) but refuses fentry
        // with EPERM; bpftool 7.1 probes the fentry flavour and so reports the whole type as NOT available.
        assertThat(Features.programType(ProgramType.TRACING)).isTrue();
    }

    @Test
    void helpersAgreeWithBpftoolForXdpAndSocketFilters() throws Exception {
        String probe = bpftoolProbe();
        for (ProgramType type : List.of(ProgramType.XDP, ProgramType.SOCKET_FILTER)) {
            String header = "eBPF helpers supported for program type " + type.name().toLowerCase(Locale.ROOT) + ":";
            String section = probe.substring(probe.indexOf(header) + header.length());
            int next = section.indexOf("eBPF helpers supported for program type");
            section = next < 0 ? section : section.substring(0, next);
            List<String> listed = section.lines().map(String::strip).filter(l -> l.startsWith("- "))
                    .map(l -> l.substring(2)).toList();
            assertThat(listed).contains("bpf_map_lookup_elem");
            List<String> ours = new ArrayList<>();
            for (int id = 1; id <= dev.bpfunit.asm.Disassembler.maxHelperId(); id++) {
                if (Features.helper(type, id)) {
                    ours.add(dev.bpfunit.asm.Disassembler.helperName(id));
                }
            }
            // bpftool 7.1 only looks for "invalid func"/"unknown func"; the kernel also answers "program of this
            // type cannot use helper", so bpftool lists helpers the kernel refuses (bpf_probe_read in XDP). The other
            // way round it must agree: what we find, bpftool finds, except what bpftool does not probe
            // (trace_printk, which would spam the trace pipe) or does not know (newer than its libbpf).
            int bpftoolMax = listed.stream().mapToInt(n -> Features.helperId(n).orElse(0)).max().orElse(0);
            List<String> comparable = ours.stream().filter(n -> !n.contains("trace_") || !n.endsWith("printk"))
                    .filter(n -> Features.helperId(n).orElseThrow() <= bpftoolMax).toList();
            assertThat(listed).as("bpftool's list for " + type).containsAll(comparable);
            assertThat(ours).contains("bpf_map_lookup_elem", "bpf_loop", "bpf_ktime_get_ns");
        }
        assertThat(Features.helper(ProgramType.XDP, "xdp_adjust_head")).isTrue();
        assertThat(Features.helper(ProgramType.SOCKET_FILTER, "xdp_adjust_head")).isFalse();
        assertThat(Features.helper(ProgramType.XDP, "bpf_probe_read")).isFalse();
    }

    @Test
    void attachTypesKnownToProgAttach() {
        assertThat(Features.attachType(AttachType.CGROUP_INET_INGRESS)).isTrue();
        assertThat(Features.attachType(AttachType.SK_LOOKUP)).isTrue();
        assertThatThrownBy(() -> Features.attachType(AttachType.XDP)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probe its program type instead");
    }

    @Test
    void helperNamesWithAndWithoutPrefix() {
        assertThat(Features.helperId("bpf_map_lookup_elem")).hasValue(1);
        assertThat(Features.helperId("loop")).hasValue(181);
        assertThat(Features.helperId("bpf_nope")).isEmpty();
        assertThatThrownBy(() -> Features.helper(ProgramType.XDP, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisMachineCanUseBpf() {
        assertThat(Features.unavailableReason()).isEmpty();
    }
}

package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.skippedWithReason;
import static org.junit.platform.testkit.engine.EventConditions.test;

import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.SystemInfo;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The kernel conditions, run through the engine against this machine's kernel. */
class KernelConditionTest {

    static String running() {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?").matcher(SystemInfo.kernelRelease());
        assertThat(m.find()).isTrue();
        return m.group(1) + "." + m.group(2) + "." + (m.group(3) == null ? "0" : m.group(3));
    }

    static class Conditions {
        @Test @EnabledOnKernel(min = "99.0", reason = "BPF_MAP_TYPE_RINGBUF") void tooOld() { }
        @Test @EnabledOnKernel(max = "3.10") void tooNew() { }
        @Test @EnabledOnKernel(min = "4.18", max = "999.0") void inRange() { }
        @Test @RequiresProgramType({ProgramType.XDP, ProgramType.SCHED_CLS}) void programTypes() { }
        @Test @RequiresMapType({MapType.RINGBUF, MapType.HASH}) void mapTypes() { }
        @Test @RequiresHelper({"bpf_loop", "map_lookup_elem"}) void helpers() { }
        @Test @RequiresHelper(value = "bpf_xdp_adjust_head", programType = ProgramType.SOCKET_FILTER) void wrongProgramType() { }
        @Test @RequiresHelper(ids = 1) void helperById() { }
        @Test @RequiresAttachType(AttachType.CGROUP_INET_INGRESS) void attachType() { }
    }

    @Test
    void eachConditionGivesItsReason() {
        EngineExecutionResults r = Kit.run(Conditions.class);
        String kernel = running();
        r.testEvents().assertStatistics(s -> s.succeeded(6).skipped(3).failed(0));
        r.testEvents().assertThatEvents()
                .haveExactly(1, event(test("tooOld"), skippedWithReason("kernel " + kernel
                        + " < 99.0 required (BPF_MAP_TYPE_RINGBUF)")))
                .haveExactly(1, event(test("tooNew"), skippedWithReason("kernel " + kernel + " > 3.10 allowed")))
                .haveExactly(1, event(test("wrongProgramType"), skippedWithReason("kernel " + SystemInfo.kernelRelease()
                        + " lacks bpf_xdp_adjust_head in SOCKET_FILTER programs (probed)")));
    }

    static class BadVersion {
        @Test @EnabledOnKernel(min = "five") void test() { }
    }

    static class NoBound {
        @Test @EnabledOnKernel void test() { }
    }

    static class Swapped {
        @Test @EnabledOnKernel(min = "6.0", max = "5.0") void test() { }
    }

    static class UnknownHelper {
        @Test @RequiresHelper("bpf_no_such_helper") void test() { }
    }

    static class UnprobeableAttachType {
        @Test @RequiresAttachType(AttachType.XDP) void test() { }
    }

    @Test
    void misconfiguredConditionsSayHowToFixThem() {
        assertThat(Kit.onlyFailure(Kit.run(BadVersion.class))).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@EnabledOnKernel(min) is 'five', not a kernel version: write major.minor or "
                        + "major.minor.patch, e.g. \"5.8\" or \"6.1.12\"");
        assertThat(Kit.onlyFailure(Kit.run(NoBound.class)))
                .hasMessage("@EnabledOnKernel gives neither min nor max: give at least one, e.g. "
                        + "@EnabledOnKernel(min = \"5.8\")");
        assertThat(Kit.onlyFailure(Kit.run(Swapped.class)))
                .hasMessage("@EnabledOnKernel(min = \"6.0\", max = \"5.0\"): min is above max, so no kernel matches: "
                        + "swap them");
        assertThat(Kit.onlyFailure(Kit.run(UnknownHelper.class)))
                .hasMessageStartingWith("@RequiresHelper(\"bpf_no_such_helper\") on ")
                .hasMessageEndingWith(": no BPF helper has this name: use a name from bpf_helper_defs.h such as "
                        + "bpf_map_lookup_elem (kfuncs cannot be required this way)");
        assertThat(Kit.onlyFailure(Kit.run(UnprobeableAttachType.class)))
                .hasMessageContaining("@RequiresAttachType(XDP)")
                .hasMessageEndingWith("require its program type with @RequiresProgramType instead");
    }
}

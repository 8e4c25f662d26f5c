package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static dev.bpfunit.samples.Samples.openFds;
import static dev.bpfunit.samples.Samples.u16;
import static dev.bpfunit.samples.Samples.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.MapInfo;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.VerifierException;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.SystemInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loads every sample object into this machine's kernel and checks what the kernel reports back. */
class LoaderTest {

    @Test
    void xdpFirewallLoadsWithBtfMapsAndFrozenRodata() {
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            assertThat(obj.programs()).extracting(BpfProgram::name, BpfProgram::type)
                    .containsExactly(tuple("xdp_fw", ProgramType.XDP));
            assertThat(obj.maps()).extracting(BpfMap::name).containsExactly("blocklist", "stats", ".rodata");

            MapInfo blocklist = obj.map("blocklist").info();
            assertThat(blocklist.type()).isEqualTo(MapType.HASH);
            assertThat(blocklist.keySize()).isEqualTo(4);
            assertThat(blocklist.valueSize()).isEqualTo(8);
            assertThat(blocklist.maxEntries()).isEqualTo(1024);
            assertThat(blocklist.btfValueTypeId()).as("typed for bpftool map dump").isPositive();

            MapInfo rodata = obj.map(".rodata").info();
            assertThat(rodata.name()).isEqualTo("xdp_fw.rodata");
            assertThat(rodata.flags()).isEqualTo(MapSpec.BPF_F_RDONLY_PROG | MapSpec.BPF_F_MMAPABLE);
            assertThatThrownBy(() -> obj.map(".rodata").update(u32(0), new byte[2]))
                    .as("frozen after load").isInstanceOf(BpfException.class).hasMessageContaining("EPERM");

            assertThat(obj.program("xdp_fw").info().mapIds()).contains(blocklist.id());
        }
    }

    @Test
    void globalSetBeforeLoadReachesRodata() {
        try (BpfObject obj = BpfObject.loader(object("xdp_fw")).global("blocked_port", (short) 53).load()) {
            byte[] value = obj.map(".rodata").lookup(u32(0)).orElseThrow();
            assertThat(u16(value, 0)).isEqualTo(53);
        }
    }

    @Test
    void globalThatDoesNotFitItsTypeNamesTheVariableAndTheRange() {
        // the value is encoded by the variable's BTF type (__u16): any Java number that fits is taken
        try (BpfObject obj = BpfObject.loader(object("xdp_fw")).global("blocked_port", 53).load()) {
            assertThat(u16(obj.map(".rodata").lookup(u32(0)).orElseThrow(), 0)).isEqualTo(53);
        }
        assertThatThrownBy(() -> BpfObject.loader(object("xdp_fw")).global("blocked_port", 70000).load())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("blocked_port")
                .hasMessageContaining("70000 does not fit an unsigned 16-bit integer: give a value from 0 to 65535");
        assertThatThrownBy(() -> BpfObject.loader(object("xdp_fw")).global("blocked_prot", (short) 1).load())
                .hasMessageContaining("no global variable 'blocked_prot'")
                .hasMessageContaining("blocked_port");
    }

    @Test
    void globalDataSectionsBecomeOneEntryArrays() {
        try (BpfObject obj = BpfObject.loader(object("globals")).global("filter_pid", 42).load()) {
            assertThat(obj.maps()).extracting(m -> m.info().name())
                    .containsExactlyInAnyOrder("globals.data", "globals.bss", "globals.rodata", ".data.custom",
                            ".rodata.custom");
            assertThat(obj.map(".data").info().flags()).isEqualTo(MapSpec.BPF_F_MMAPABLE);
            assertThat(u32(obj.map(".data").lookup(u32(0)).orElseThrow(), 0)).isEqualTo(42);
            assertThat(u32(obj.map(".data.custom").lookup(u32(0)).orElseThrow(), 0)).isEqualTo(7);
            assertThat(u32(obj.map(".rodata.custom").lookup(u32(0)).orElseThrow(), 0)).isEqualTo(11);
            assertThat(obj.map(".bss").lookup(u32(0)).orElseThrow()).containsOnly(0);
            assertThat(obj.spec().variables()).extracting(v -> v.name(), v -> v.map())
                    .contains(tuple("filter_pid", ".data"), tuple("runs", ".bss"), tuple("scale", ".rodata"),
                            tuple("custom_bias", ".data.custom"), tuple("custom_offset", ".rodata.custom"));
            assertThat(obj.programs()).extracting(BpfProgram::name, BpfProgram::type)
                    .containsExactly(tuple("globals_syscall", ProgramType.SYSCALL),
                            tuple("globals_xdp", ProgramType.XDP));
        }
    }

    @Test
    void legacyTwentyByteMapsLoad() {
        try (BpfObject obj = BpfObject.load(object("legacy_maps"))) {
            assertThat(obj.maps()).extracting(m -> m.spec().kind()).containsOnly(MapKind.LEGACY);
            MapInfo protoCount = obj.map("proto_count").info();
            assertThat(List.of(protoCount.typeNumber(), protoCount.keySize(), protoCount.valueSize(),
                    protoCount.maxEntries())).containsExactly(MapType.ARRAY.number(), 4, 8, 4);
            MapInfo seenLen = obj.map("seen_len").info();
            assertThat(List.of(seenLen.typeNumber(), seenLen.keySize(), seenLen.valueSize(), seenLen.maxEntries(),
                    seenLen.flags())).containsExactly(MapType.HASH.number(), 4, 4, 128, 1);
            assertThat(obj.program("legacy_xdp").type()).isEqualTo(ProgramType.XDP);
        }
    }

    @Test
    void ayaLayoutMapsAndSectionsLoad() {
        try (BpfObject obj = BpfObject.load(object("aya_maps"))) {
            assertThat(obj.maps()).extracting(BpfMap::name, BpfMap::type)
                    .containsExactly(tuple("BLOCKLIST", MapType.HASH), tuple("COUNTERS", MapType.ARRAY),
                            tuple("PER_CPU", MapType.PERCPU_ARRAY));
            assertThat(obj.map("BLOCKLIST").info().maxEntries()).isEqualTo(1024);
            assertThat(obj.programs()).extracting(BpfProgram::name, BpfProgram::type)
                    .containsExactly(tuple("aya_xdp", ProgramType.XDP),
                            tuple("aya_classifier", ProgramType.SCHED_CLS),
                            tuple("aya_socket", ProgramType.SOCKET_FILTER));
        }
    }

    @Test
    void bpfToBpfCallsAreLinked() {
        try (BpfObject obj = BpfObject.load(object("bpf2bpf"))) {
            for (BpfProgram p : obj.programs()) {
                assertThat(p.spec().funcInfos()).as("%s: entry plus its subprograms", p.name()).hasSizeGreaterThan(1);
                assertThat(p.info().xlatedProgLen() / 8).isGreaterThanOrEqualTo(p.spec().instructionCount());
            }
            assertThat(obj.programs()).extracting(BpfProgram::name)
                    .containsExactly("xdp_small_drop", "xdp_large_drop");
        }
    }

    @Test
    void callbacksLoad() {
        try (BpfObject obj = BpfObject.load(object("callback"))) {
            assertThat(obj.programs()).extracting(BpfProgram::name).containsExactly("loop_sum", "map_sum");
        }
    }

    @Test
    void tailCallTableIsFilledFromStaticValues() {
        try (BpfObject obj = BpfObject.load(object("tailcall"))) {
            BpfMap table = obj.map("jmp_table");
            assertThat(u32(table.lookup(u32(0)).orElseThrow(), 0)).isEqualTo(obj.program("slot_drop").info().id());
            assertThat(u32(table.lookup(u32(1)).orElseThrow(), 0)).isEqualTo(obj.program("slot_tx").info().id());
            assertThat(table.lookup(u32(2))).isEmpty();
        }
    }

    @Test
    void mapInMapIsFilledFromStaticValues() {
        try (BpfObject obj = BpfObject.load(object("map_in_map"))) {
            int innerA = obj.map("inner_a").info().id();
            int innerB = obj.map("inner_b").info().id();
            BpfMap outer = obj.map("outer_array");
            assertThat(u32(outer.lookup(u32(0)).orElseThrow(), 0)).isEqualTo(innerA);
            assertThat(u32(outer.lookup(u32(1)).orElseThrow(), 0)).isEqualTo(innerB);
            assertThat(u32(obj.map("outer_hash").lookup(u32(3)).orElseThrow(), 0)).isEqualTo(innerB);
            assertThat(obj.map("outer_hash").keys()).hasSize(1);
            assertThat(obj.map("outer_empty").lookup(u32(0))).isEmpty();
            assertThat(obj.map("outer_array").spec().innerMap()).isNotNull();
        }
    }

    @Test
    void rejectedProgramFailsWithTheSourceLineAndNothingLeaks() {
        long before = openFds();
        assertThatThrownBy(() -> BpfObject.load(object("rejected")))
                .isInstanceOfSatisfying(VerifierException.class, e -> {
                    assertThat(e.program()).isEqualTo("null_deref");
                    assertThat(e.getMessage())
                            .contains("rejected.bpf.o")
                            .contains("R0 invalid mem access 'map_value_or_null'")
                            .contains("rejected.bpf.c:27")
                            .contains("*count += 1;")
                            .contains("check the pointer returned by bpf_map_lookup_elem() for NULL");
                    assertThat(e.log()).contains("processed");
                    assertThat(e.verifierLog().failingInstruction()).isPresent();
                });
        Samples.assertNoFdLeakedSince(before);
    }

    @Test
    void aSmallFirstLogBufferGrowsUntilTheWholeLogFits() {
        assertThatThrownBy(() -> BpfObject.loader(object("rejected")).logSize(128).load())
                .isInstanceOfSatisfying(VerifierException.class, e -> {
                    assertThat(e.log().length()).isGreaterThan(128);
                    assertThat(e.log()).contains("processed");
                    assertThat(e.verifierLog().truncated()).isFalse();
                });
    }

    @Test
    void anAcceptedProgramsLevelTwoLogGrowsToo() {
        try (BpfObject obj = BpfObject.loader(object("xdp_fw")).logLevel(2).logSize(128).load()) {
            var log = obj.program("xdp_fw").verifierLog().orElseThrow();
            assertThat(log.text().length()).isGreaterThan(128);
            assertThat(log.processedInstructions().orElseThrow()).isPositive();
        }
    }

    @Test
    void levelTwoLogReportsProcessedInstructions() {
        assertThatThrownBy(() -> BpfObject.loader(object("rejected")).logLevel(2).load())
                .isInstanceOfSatisfying(VerifierException.class,
                        e -> assertThat(e.verifierLog().processedInstructions().orElseThrow()).isPositive());
    }

    @Test
    void failuresAfterPartialLoadsCloseEverything() {
        long before = openFds();
        // fails at the map without max_entries, after BTF and other maps could have been created
        assertThatThrownBy(() -> BpfObject.load(object("sized_by_api"))).isInstanceOf(BpfException.class);
        // fails at the program whose section says no type, after BTF was loaded
        assertThatThrownBy(() -> BpfObject.load(object("custom_section"))).isInstanceOf(BpfException.class);
        // fails at the second program, after the first loaded and every map was created
        assertThatThrownBy(() -> BpfObject.loader(object("multi_prog"))
                .programType("dissect_ipv4", ProgramType.XDP).load()).isInstanceOf(VerifierException.class);
        Samples.assertNoFdLeakedSince(before);
    }

    @Test
    void bpftoolDumpsOurMapsTyped() throws Exception {
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            obj.map("blocklist").update(u32(0x0100000a), new byte[]{7, 0, 0, 0, 0, 0, 0, 0});
            Process p = new ProcessBuilder("bpftool", "map", "dump", "id",
                    String.valueOf(obj.map("blocklist").info().id())).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains("\"rule_id\": 7").contains("\"flags\": 0");
        }
    }

    @Test
    void ringBufferAndPerfArrayAreSized() {
        try (BpfObject obj = BpfObject.load(object("ringbuf"))) {
            assertThat(obj.map("events").info().maxEntries()).isEqualTo(4096);
            assertThat(obj.map("perf_events").info().maxEntries()).isEqualTo(SystemInfo.possibleCpuCount());
        }
    }

    @Test
    void everySectionKindOfMultiProgGetsItsType() {
        try (BpfObject obj = BpfObject.load(object("multi_prog"))) {
            assertThat(obj.programs()).extracting(BpfProgram::name, BpfProgram::type).containsExactly(
                    tuple("xdp_pass_all", ProgramType.XDP),
                    tuple("xdp_drop_all", ProgramType.XDP),
                    tuple("tp_getpid", ProgramType.TRACEPOINT),
                    tuple("raw_sys_enter", ProgramType.RAW_TRACEPOINT),
                    tuple("kprobe_nanosleep", ProgramType.KPROBE),
                    tuple("cgroup_ingress", ProgramType.CGROUP_SKB),
                    tuple("sk_lookup_echo", ProgramType.SK_LOOKUP),
                    tuple("dissect_ipv4", ProgramType.FLOW_DISSECTOR),
                    tuple("syscall_count", ProgramType.SYSCALL));
            for (BpfProgram p : obj.programs()) {
                assertThat(p.info().type()).as(p.name()).isEqualTo(p.type());
            }
            assertThat(obj.map(".bss").info().name()).isEqualTo("multi_pr.bss");
        }
    }

    @Test
    void sectionThatDoesNotSayTheTypeNeedsItFromTheApi() {
        assertThatThrownBy(() -> BpfObject.load(object("custom_section")))
                .hasMessageContaining("icmp_echo")
                .hasMessageContaining("xdp_icmp_echo")
                .hasMessageContaining("programType(\"icmp_echo\", ProgramType.XDP)");
        try (BpfObject obj = BpfObject.loader(object("custom_section"))
                .programType("icmp_echo", ProgramType.XDP).load()) {
            assertThat(obj.program("icmp_echo").info().type()).isEqualTo(ProgramType.XDP);
        }
    }

    @Test
    void mapWithoutMaxEntriesIsSizedFromTheApi() {
        assertThatThrownBy(() -> BpfObject.load(object("sized_by_api")))
                .hasMessageContaining("map 'flows' has no max_entries")
                .hasMessageContaining("maxEntries(\"flows\", n)");
        try (BpfObject obj = BpfObject.loader(object("sized_by_api")).maxEntries("flows", 64).load()) {
            assertThat(obj.map("flows").info().maxEntries()).isEqualTo(64);
        }
    }

    @Test
    void queueStackAndPerCpuHashLoad() {
        try (BpfObject obj = BpfObject.load(object("percpu_queue"))) {
            assertThat(obj.maps()).extracting(BpfMap::name, m -> m.info().keySize(), m -> m.info().valueSize())
                    .containsExactlyInAnyOrder(tuple("in_queue", 0, 8), tuple("out_stack", 0, 8),
                            tuple("len_hist", 4, 8));
        }
    }

    @Test
    void tcAndSocketFilterLoad() {
        try (BpfObject tc = BpfObject.load(object("tc_rewrite"));
             BpfObject socket = BpfObject.load(object("socket_filter"))) {
            assertThat(tc.program("tc_rewrite").type()).isEqualTo(ProgramType.SCHED_CLS);
            assertThat(socket.program("socket_filter").type()).isEqualTo(ProgramType.SOCKET_FILTER);
        }
    }

    @Test
    void tracingProgramsGetTheirAttachBtfIdFromVmlinux() {
        try (BpfObject obj = BpfObject.loader(object("tracing"))
                .skipProgram("nanosleep_entry").skipProgram("nanosleep_exit").skipProgram("on_file_open")
                .load()) {
            BpfProgram onSwitch = obj.program("on_switch");
            assertThat(onSwitch.type()).isEqualTo(ProgramType.TRACING);
            assertThat(onSwitch.spec().attachTo()).isEqualTo("sched_switch");
        }
    }

    @Test
    void wrongNamesListWhatExists() {
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            assertThatThrownBy(() -> obj.map("blocklst"))
                    .hasMessage("no map 'blocklst' in xdp_fw.bpf.o; maps: blocklist, stats, .rodata");
            assertThatThrownBy(() -> obj.program("xdp"))
                    .hasMessage("no program 'xdp' in xdp_fw.bpf.o; programs: xdp_fw");
        }
    }

    @Test
    void closingTheObjectFreesItsPrograms() throws InterruptedException {
        // once first, so that jars and classes opened lazily on first use are not counted as a leak
        BpfObject.load(object("tailcall")).close();
        long before = openFds();
        BpfObject obj = BpfObject.load(object("tailcall"));
        assertThat(openFds()).isGreaterThan(before);
        Samples.KernelIds ids = Samples.kernelIds(obj);
        assertThat(ids.stillInKernel()).hasSize(obj.programs().size() + obj.maps().size());
        obj.close();
        obj.close();
        assertThat(openFds()).isEqualTo(before);
        assertThat(ids.stillInKernelAfter(java.time.Duration.ofSeconds(30)))
                .as("programs and maps of the closed object still in the kernel").isEmpty();
    }
}

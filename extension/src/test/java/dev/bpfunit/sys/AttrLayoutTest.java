package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks every attr and info layout against {@code layout/layout.txt}: offsets and sizes printed by
 * gcc from a {@code vmlinux.h} dumped from the BTF of the 6.18 kernel (see {@code layout/regen.sh}).
 * Needs no kernel: the expected numbers are committed.
 */
class AttrLayoutTest {
    private static final Map<String, int[]> LAYOUT = new HashMap<>();
    private static Fd fdA;
    private static Fd fdB;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = AttrLayoutTest.class.getResourceAsStream("/dev/bpfunit/sys/layout/layout.txt")) {
            assertThat(in).as("layout.txt on the test classpath").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                LAYOUT.put(f[0] + " " + f[1], new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])});
            }
        }
        // Two real descriptors (copies of stdout) to fill fd fields with.
        fdA = Fd.adopt(Libc.fcntl(1, Libc.F_DUPFD_CLOEXEC, 1), "test fd A");
        fdB = Fd.adopt(Libc.fcntl(1, Libc.F_DUPFD_CLOEXEC, 1), "test fd B");
    }

    @AfterAll
    static void close() {
        fdA.close();
        fdB.close();
    }

    /** The Java constant for every field the kernel layout file lists. */
    private static Map<String, Integer> javaOffsets() {
        Map<String, Integer> m = new HashMap<>();
        m.put("map_create map_type", MapCreateAttr.MAP_TYPE);
        m.put("map_create key_size", MapCreateAttr.KEY_SIZE);
        m.put("map_create value_size", MapCreateAttr.VALUE_SIZE);
        m.put("map_create max_entries", MapCreateAttr.MAX_ENTRIES);
        m.put("map_create map_flags", MapCreateAttr.MAP_FLAGS);
        m.put("map_create inner_map_fd", MapCreateAttr.INNER_MAP_FD);
        m.put("map_create numa_node", MapCreateAttr.NUMA_NODE);
        m.put("map_create map_name", MapCreateAttr.MAP_NAME);
        m.put("map_create map_ifindex", MapCreateAttr.MAP_IFINDEX);
        m.put("map_create btf_fd", MapCreateAttr.BTF_FD);
        m.put("map_create btf_key_type_id", MapCreateAttr.BTF_KEY_TYPE_ID);
        m.put("map_create btf_value_type_id", MapCreateAttr.BTF_VALUE_TYPE_ID);
        m.put("map_create btf_vmlinux_value_type_id", MapCreateAttr.BTF_VMLINUX_VALUE_TYPE_ID);
        m.put("map_create map_extra", MapCreateAttr.MAP_EXTRA);
        m.put("map_create value_type_btf_obj_fd", MapCreateAttr.VALUE_TYPE_BTF_OBJ_FD);
        m.put("map_create map_token_fd", MapCreateAttr.SIZE - 4);

        m.put("map_elem map_fd", MapElemAttr.MAP_FD);
        m.put("map_elem key", MapElemAttr.KEY);
        m.put("map_elem value", MapElemAttr.VALUE);
        m.put("map_elem next_key", MapElemAttr.NEXT_KEY);
        m.put("map_elem flags", MapElemAttr.FLAGS);

        m.put("map_batch batch.in_batch", MapBatchAttr.IN_BATCH);
        m.put("map_batch batch.out_batch", MapBatchAttr.OUT_BATCH);
        m.put("map_batch batch.keys", MapBatchAttr.KEYS);
        m.put("map_batch batch.values", MapBatchAttr.VALUES);
        m.put("map_batch batch.count", MapBatchAttr.COUNT);
        m.put("map_batch batch.map_fd", MapBatchAttr.MAP_FD);
        m.put("map_batch batch.elem_flags", MapBatchAttr.ELEM_FLAGS);
        m.put("map_batch batch.flags", MapBatchAttr.FLAGS);

        m.put("prog_load prog_type", ProgLoadAttr.PROG_TYPE);
        m.put("prog_load insn_cnt", ProgLoadAttr.INSN_CNT);
        m.put("prog_load insns", ProgLoadAttr.INSNS);
        m.put("prog_load license", ProgLoadAttr.LICENSE);
        m.put("prog_load log_level", ProgLoadAttr.LOG_LEVEL);
        m.put("prog_load log_size", ProgLoadAttr.LOG_SIZE);
        m.put("prog_load log_buf", ProgLoadAttr.LOG_BUF);
        m.put("prog_load kern_version", ProgLoadAttr.KERN_VERSION);
        m.put("prog_load prog_flags", ProgLoadAttr.PROG_FLAGS);
        m.put("prog_load prog_name", ProgLoadAttr.PROG_NAME);
        m.put("prog_load prog_ifindex", ProgLoadAttr.PROG_IFINDEX);
        m.put("prog_load expected_attach_type", ProgLoadAttr.EXPECTED_ATTACH_TYPE);
        m.put("prog_load prog_btf_fd", ProgLoadAttr.PROG_BTF_FD);
        m.put("prog_load func_info_rec_size", ProgLoadAttr.FUNC_INFO_REC_SIZE);
        m.put("prog_load func_info", ProgLoadAttr.FUNC_INFO);
        m.put("prog_load func_info_cnt", ProgLoadAttr.FUNC_INFO_CNT);
        m.put("prog_load line_info_rec_size", ProgLoadAttr.LINE_INFO_REC_SIZE);
        m.put("prog_load line_info", ProgLoadAttr.LINE_INFO);
        m.put("prog_load line_info_cnt", ProgLoadAttr.LINE_INFO_CNT);
        m.put("prog_load attach_btf_id", ProgLoadAttr.ATTACH_BTF_ID);
        m.put("prog_load attach_prog_fd", ProgLoadAttr.ATTACH_PROG_FD);
        m.put("prog_load attach_btf_obj_fd", ProgLoadAttr.ATTACH_BTF_OBJ_FD);
        m.put("prog_load core_relo_cnt", ProgLoadAttr.CORE_RELO_CNT);
        m.put("prog_load fd_array", ProgLoadAttr.FD_ARRAY);
        m.put("prog_load core_relos", ProgLoadAttr.CORE_RELOS);
        m.put("prog_load core_relo_rec_size", ProgLoadAttr.CORE_RELO_REC_SIZE);
        m.put("prog_load log_true_size", ProgLoadAttr.LOG_TRUE_SIZE);

        m.put("obj pathname", ObjAttr.PATHNAME);
        m.put("obj bpf_fd", ObjAttr.BPF_FD);
        m.put("obj file_flags", ObjAttr.FILE_FLAGS);
        m.put("obj path_fd", ObjAttr.PATH_FD);

        m.put("test test.prog_fd", ProgTestRunAttr.PROG_FD);
        m.put("test test.retval", ProgTestRunAttr.RETVAL);
        m.put("test test.data_size_in", ProgTestRunAttr.DATA_SIZE_IN);
        m.put("test test.data_size_out", ProgTestRunAttr.DATA_SIZE_OUT);
        m.put("test test.data_in", ProgTestRunAttr.DATA_IN);
        m.put("test test.data_out", ProgTestRunAttr.DATA_OUT);
        m.put("test test.repeat", ProgTestRunAttr.REPEAT);
        m.put("test test.duration", ProgTestRunAttr.DURATION);
        m.put("test test.ctx_size_in", ProgTestRunAttr.CTX_SIZE_IN);
        m.put("test test.ctx_size_out", ProgTestRunAttr.CTX_SIZE_OUT);
        m.put("test test.ctx_in", ProgTestRunAttr.CTX_IN);
        m.put("test test.ctx_out", ProgTestRunAttr.CTX_OUT);
        m.put("test test.flags", ProgTestRunAttr.FLAGS);
        m.put("test test.cpu", ProgTestRunAttr.CPU);
        m.put("test test.batch_size", ProgTestRunAttr.BATCH_SIZE);

        for (String id : new String[] {"start_id", "prog_id", "map_id", "btf_id"}) {
            m.put("get_id " + id, GetFdByIdAttr.ID);
        }
        m.put("get_id next_id", GetFdByIdAttr.NEXT_ID);
        m.put("get_id open_flags", GetFdByIdAttr.OPEN_FLAGS);

        m.put("prog_attach target_fd", ProgAttachAttr.TARGET_FD);
        m.put("prog_attach attach_bpf_fd", ProgAttachAttr.ATTACH_BPF_FD);
        m.put("prog_attach attach_type", ProgAttachAttr.ATTACH_TYPE);
        m.put("prog_attach attach_flags", ProgAttachAttr.ATTACH_FLAGS);
        m.put("prog_attach replace_bpf_fd", ProgAttachAttr.REPLACE_BPF_FD);
        m.put("prog_attach relative_fd", ProgAttachAttr.RELATIVE_FD);
        m.put("prog_attach expected_revision", ProgAttachAttr.EXPECTED_REVISION);

        m.put("info info.bpf_fd", InfoAttr.BPF_FD);
        m.put("info info.info_len", InfoAttr.INFO_LEN);
        m.put("info info.info", InfoAttr.INFO);

        m.put("raw_tracepoint raw_tracepoint.name", RawTracepointAttr.NAME);
        m.put("raw_tracepoint raw_tracepoint.prog_fd", RawTracepointAttr.PROG_FD);

        m.put("btf_load btf", BtfLoadAttr.BTF);
        m.put("btf_load btf_log_buf", BtfLoadAttr.BTF_LOG_BUF);
        m.put("btf_load btf_size", BtfLoadAttr.BTF_SIZE);
        m.put("btf_load btf_log_size", BtfLoadAttr.BTF_LOG_SIZE);
        m.put("btf_load btf_log_level", BtfLoadAttr.BTF_LOG_LEVEL);
        m.put("btf_load btf_log_true_size", BtfLoadAttr.BTF_LOG_TRUE_SIZE);

        m.put("link_create link_create.prog_fd", LinkCreateAttr.PROG_FD);
        m.put("link_create link_create.target_fd", LinkCreateAttr.TARGET_FD);
        m.put("link_create link_create.target_ifindex", LinkCreateAttr.TARGET_IFINDEX);
        m.put("link_create link_create.attach_type", LinkCreateAttr.ATTACH_TYPE);
        m.put("link_create link_create.flags", LinkCreateAttr.FLAGS);
        m.put("link_create link_create.target_btf_id", LinkCreateAttr.TARGET_BTF_ID);
        m.put("link_create link_create.iter_info", LinkCreateAttr.ITER_INFO);
        m.put("link_create link_create.iter_info_len", LinkCreateAttr.ITER_INFO_LEN);
        m.put("link_create link_create.perf_event.bpf_cookie", LinkCreateAttr.PERF_EVENT_BPF_COOKIE);
        m.put("link_create link_create.tracing.cookie", LinkCreateAttr.TRACING_COOKIE);

        m.put("map_info type", MapInfo.TYPE);
        m.put("map_info id", MapInfo.ID);
        m.put("map_info key_size", MapInfo.KEY_SIZE);
        m.put("map_info value_size", MapInfo.VALUE_SIZE);
        m.put("map_info max_entries", MapInfo.MAX_ENTRIES);
        m.put("map_info map_flags", MapInfo.MAP_FLAGS);
        m.put("map_info name", MapInfo.NAME);
        m.put("map_info ifindex", MapInfo.IFINDEX);
        m.put("map_info btf_id", MapInfo.BTF_ID);
        m.put("map_info btf_key_type_id", MapInfo.BTF_KEY_TYPE_ID);
        m.put("map_info btf_value_type_id", MapInfo.BTF_VALUE_TYPE_ID);
        m.put("map_info map_extra", MapInfo.MAP_EXTRA);

        m.put("enable_stats enable_stats.type", EnableStatsAttr.TYPE);
        m.put("link_info type", LinkInfo.TYPE);
        m.put("link_info id", LinkInfo.ID);
        m.put("link_info prog_id", LinkInfo.PROG_ID);
        m.put("perf_event_attr type", PerfEventAttr.TYPE);
        m.put("perf_event_attr size", PerfEventAttr.ATTR_SIZE);
        m.put("perf_event_attr config", PerfEventAttr.CONFIG);
        m.put("perf_event_attr sample_period", PerfEventAttr.SAMPLE_PERIOD);
        m.put("perf_event_attr sample_type", PerfEventAttr.SAMPLE_TYPE);
        m.put("perf_event_attr wakeup_events", PerfEventAttr.WAKEUP_EVENTS);
        m.put("perf_event_attr config1", PerfEventAttr.CONFIG1);
        m.put("perf_event_attr config2", PerfEventAttr.CONFIG2);
        m.put("prog_info type", ProgInfo.TYPE);
        m.put("prog_info id", ProgInfo.ID);
        m.put("prog_info tag", ProgInfo.TAG);
        m.put("prog_info jited_prog_len", ProgInfo.JITED_PROG_LEN);
        m.put("prog_info xlated_prog_len", ProgInfo.XLATED_PROG_LEN);
        m.put("prog_info xlated_prog_insns", ProgInfo.XLATED_PROG_INSNS);
        m.put("prog_info load_time", ProgInfo.LOAD_TIME);
        m.put("prog_info created_by_uid", ProgInfo.CREATED_BY_UID);
        m.put("prog_info nr_map_ids", ProgInfo.NR_MAP_IDS);
        m.put("prog_info map_ids", ProgInfo.MAP_IDS);
        m.put("prog_info name", ProgInfo.NAME);
        m.put("prog_info ifindex", 80);
        m.put("prog_info btf_id", ProgInfo.BTF_ID);
        m.put("prog_info run_time_ns", ProgInfo.RUN_TIME_NS);
        m.put("prog_info run_cnt", ProgInfo.RUN_CNT);
        m.put("prog_info recursion_misses", ProgInfo.RECURSION_MISSES);
        m.put("prog_info verified_insns", ProgInfo.VERIFIED_INSNS);
        m.put("prog_info attach_btf_obj_id", ProgInfo.VERIFIED_INSNS + 4);
        m.put("prog_info attach_btf_id", ProgInfo.VERIFIED_INSNS + 8);

        m.put("btf_info btf", BtfInfo.BTF);
        m.put("btf_info btf_size", BtfInfo.BTF_SIZE);
        m.put("btf_info id", BtfInfo.ID);
        m.put("btf_info name", BtfInfo.NAME);
        m.put("btf_info name_len", BtfInfo.NAME_LEN);
        m.put("btf_info kernel_btf", BtfInfo.KERNEL_BTF);

        m.put("sizeof bpf_prog_info", ProgInfo.SIZE);
        return m;
    }

    @Test
    void everyKernelFieldMatchesItsJavaOffset() {
        Map<String, Integer> java = javaOffsets();
        assertThat(LAYOUT).as("layout.txt entries").hasSizeGreaterThan(100);
        for (Map.Entry<String, int[]> e : LAYOUT.entrySet()) {
            if (e.getKey().startsWith("sizeof ") && !java.containsKey(e.getKey())) {
                continue;
            }
            assertThat(java).as("a Java offset for %s", e.getKey()).containsKey(e.getKey());
            assertThat(java.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue()[0]);
        }
    }

    @Test
    void attrSizesCoverTheirFieldsAndFitTheUnion() {
        int union = LAYOUT.get("sizeof bpf_attr")[0];
        assertSize("map_create", MapCreateAttr.SIZE, union);
        assertSize("map_elem", MapElemAttr.SIZE, union);
        assertSize("map_batch", MapBatchAttr.SIZE, union);
        assertSize("prog_load", ProgLoadAttr.SIZE, union);
        assertSize("test", ProgTestRunAttr.SIZE, union);
        assertSize("info", InfoAttr.SIZE, union);
        assertSize("btf_load", BtfLoadAttr.SIZE, union);
        assertSize("link_create", LinkCreateAttr.SIZE, union);
        assertThat(ProgAttachAttr.SIZE).as("size of prog_attach attr").isEqualTo(end("prog_attach expected_revision"))
                .isLessThanOrEqualTo(union);
        assertThat(MapInfo.SIZE).isEqualTo(end("map_info map_extra")).isLessThanOrEqualTo(
                LAYOUT.get("sizeof bpf_map_info")[0]);
        assertThat(BtfInfo.SIZE).isEqualTo(LAYOUT.get("sizeof bpf_btf_info")[0]);
        // Fields deliberately left out of the smaller attrs: path_fd, 6.10's raw_tracepoint cookie.
        assertThat(ObjAttr.SIZE).isEqualTo(end("obj file_flags"));
        assertThat(RawTracepointAttr.SIZE).isEqualTo(end("raw_tracepoint raw_tracepoint.prog_fd"));
        assertThat(GetFdByIdAttr.SIZE).isEqualTo(end("get_id open_flags"));
        assertThat(EnableStatsAttr.SIZE).isEqualTo(end("enable_stats enable_stats.type"));
        assertThat(PerfEventAttr.CONFIG2 + 8).isLessThanOrEqualTo(PerfEventAttr.SIZE);
    }

    private static void assertSize(String group, int size, int union) {
        int max = LAYOUT.entrySet().stream().filter(e -> e.getKey().startsWith(group + " "))
                .filter(e -> !e.getKey().equals("map_create map_token_fd"))
                .mapToInt(e -> e.getValue()[0] + e.getValue()[1]).max().orElseThrow();
        assertThat(size).as("size of %s attr", group).isGreaterThanOrEqualTo(max).isLessThanOrEqualTo(union);
    }

    private static int end(String key) {
        int[] f = LAYOUT.get(key);
        return f[0] + f[1];
    }

    private static int at(String key) {
        return LAYOUT.get(key)[0];
    }

    @Test
    void mapCreateSettersWriteTheKernelFields() {
        MapCreateAttr a = new MapCreateAttr().mapType(11).keySize(12).valueSize(13).maxEntries(14).mapFlags(15)
                .innerMapFd(fdA).numaNode(17).mapName("block-list!ok.v2_too_long_name").mapIfindex(18).btfFd(fdB)
                .btfKeyTypeId(19).btfValueTypeId(20).btfVmlinuxValueTypeId(21).mapExtra(0x1122334455667788L);
        Pointer p = a.pointer();
        assertThat(a.size()).isEqualTo(MapCreateAttr.SIZE);
        assertThat(p.getInt(at("map_create map_type"))).isEqualTo(11);
        assertThat(p.getInt(at("map_create key_size"))).isEqualTo(12);
        assertThat(p.getInt(at("map_create value_size"))).isEqualTo(13);
        assertThat(p.getInt(at("map_create max_entries"))).isEqualTo(14);
        assertThat(p.getInt(at("map_create map_flags"))).isEqualTo(15);
        assertThat(p.getInt(at("map_create inner_map_fd"))).isEqualTo(fdA.raw());
        assertThat(p.getInt(at("map_create numa_node"))).isEqualTo(17);
        assertThat(p.getString(at("map_create map_name"))).isEqualTo("blocklistok.v2_");
        assertThat(p.getByte(at("map_create map_name") + 15)).isZero();
        assertThat(p.getInt(at("map_create map_ifindex"))).isEqualTo(18);
        assertThat(p.getInt(at("map_create btf_fd"))).isEqualTo(fdB.raw());
        assertThat(p.getInt(at("map_create btf_key_type_id"))).isEqualTo(19);
        assertThat(p.getInt(at("map_create btf_value_type_id"))).isEqualTo(20);
        assertThat(p.getInt(at("map_create btf_vmlinux_value_type_id"))).isEqualTo(21);
        assertThat(p.getLong(at("map_create map_extra"))).isEqualTo(0x1122334455667788L);
        assertThat(a.name()).isEqualTo("block-list!ok.v2_too_long_name");
        assertThat(a.kernelName()).isEqualTo("blocklistok.v2_");
    }

    @Test
    void progLoadSettersWriteTheKernelFields() {
        byte[] insns = {(byte) 0xb7, 0, 0, 0, 2, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0};
        ProgLoadAttr a = new ProgLoadAttr().progType(6).instructions(insns).license("GPL").logLevel(1).logSize(4096)
                .kernVersion(0x061200).progFlags(3).progName("xdp_fw").progIfindex(4).expectedAttachType(37)
                .progBtfFd(fdA).funcInfo(8, new byte[16], 2).lineInfo(16, new byte[48], 3).attachBtfId(99)
                .attachBtfObjFd(fdB).fdArray(new int[] {5, 6}).coreRelos(16, new byte[32], 2);
        a.prepareLog();
        Pointer p = a.pointer();
        assertThat(p.getInt(at("prog_load prog_type"))).isEqualTo(6);
        assertThat(p.getInt(at("prog_load insn_cnt"))).isEqualTo(2);
        assertThat(new Pointer(p.getLong(at("prog_load insns"))).getByteArray(0, 16)).isEqualTo(insns);
        assertThat(new Pointer(p.getLong(at("prog_load license"))).getString(0)).isEqualTo("GPL");
        assertThat(p.getInt(at("prog_load log_level"))).isEqualTo(1);
        assertThat(p.getInt(at("prog_load log_size"))).isEqualTo(4096);
        assertThat(p.getLong(at("prog_load log_buf"))).isNotZero();
        assertThat(p.getInt(at("prog_load kern_version"))).isEqualTo(0x061200);
        assertThat(p.getInt(at("prog_load prog_flags"))).isEqualTo(3);
        assertThat(p.getString(at("prog_load prog_name"))).isEqualTo("xdp_fw");
        assertThat(p.getInt(at("prog_load prog_ifindex"))).isEqualTo(4);
        assertThat(p.getInt(at("prog_load expected_attach_type"))).isEqualTo(37);
        assertThat(p.getInt(at("prog_load prog_btf_fd"))).isEqualTo(fdA.raw());
        assertThat(p.getInt(at("prog_load func_info_rec_size"))).isEqualTo(8);
        assertThat(p.getLong(at("prog_load func_info"))).isNotZero();
        assertThat(p.getInt(at("prog_load func_info_cnt"))).isEqualTo(2);
        assertThat(p.getInt(at("prog_load line_info_rec_size"))).isEqualTo(16);
        assertThat(p.getLong(at("prog_load line_info"))).isNotZero();
        assertThat(p.getInt(at("prog_load line_info_cnt"))).isEqualTo(3);
        assertThat(p.getInt(at("prog_load attach_btf_id"))).isEqualTo(99);
        assertThat(p.getInt(at("prog_load attach_btf_obj_fd"))).isEqualTo(fdB.raw());
        assertThat(new Pointer(p.getLong(at("prog_load fd_array"))).getIntArray(0, 2)).containsExactly(5, 6);
        assertThat(p.getInt(at("prog_load core_relo_cnt"))).isEqualTo(2);
        assertThat(p.getLong(at("prog_load core_relos"))).isNotZero();
        assertThat(p.getInt(at("prog_load core_relo_rec_size"))).isEqualTo(16);
        p.setInt(at("prog_load log_true_size"), 777);
        assertThat(a.logTrueSize()).isEqualTo(777);
    }

    @Test
    void progLoadWithoutLogLevelPassesNoLogBuffer() {
        ProgLoadAttr a = new ProgLoadAttr().logSize(1024);
        a.prepareLog();
        assertThat(a.pointer().getLong(at("prog_load log_buf"))).isZero();
        assertThat(a.pointer().getInt(at("prog_load log_size"))).isZero();
        assertThat(a.log()).isEmpty();
        ProgLoadAttr b = new ProgLoadAttr().logLevel(2);
        b.prepareLog();
        assertThat(b.pointer().getInt(at("prog_load log_size"))).isEqualTo(ProgLoadAttr.DEFAULT_LOG_SIZE);
    }

    @Test
    void progLoadRejectsBadInput() {
        assertThatThrownBy(() -> new ProgLoadAttr().progName("f").instructions(new byte[12]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("program 'f'")
                .hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> new ProgLoadAttr().logSize(16)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 128");
        assertThatThrownBy(() -> new ProgLoadAttr().funcInfo(8, new byte[15], 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 16 bytes, got 15");
    }

    @Test
    void btfLoadSettersWriteTheKernelFields() {
        BtfLoadAttr a = new BtfLoadAttr().btf(new byte[] {1, 2, 3}).logLevel(1).logSize(256);
        a.prepareLog();
        Pointer p = a.pointer();
        assertThat(new Pointer(p.getLong(at("btf_load btf"))).getByteArray(0, 3)).containsExactly(1, 2, 3);
        assertThat(p.getInt(at("btf_load btf_size"))).isEqualTo(3);
        assertThat(p.getLong(at("btf_load btf_log_buf"))).isNotZero();
        assertThat(p.getInt(at("btf_load btf_log_size"))).isEqualTo(256);
        assertThat(p.getInt(at("btf_load btf_log_level"))).isEqualTo(1);
        p.setInt(at("btf_load btf_log_true_size"), 55);
        assertThat(a.logTrueSize()).isEqualTo(55);
    }

    @Test
    void testRunSettersWriteTheKernelFields() {
        ProgTestRunAttr a = new ProgTestRunAttr().dataIn(new byte[20]).ctxIn(new byte[24]).repeat(100).flags(1)
                .cpu(3).batchSize(64);
        Scratch scratch = Scratch.open(a.scratchSize());
        Attr call = a.prepare(fdA, scratch);
        assertThat(call.size()).isEqualTo(ProgTestRunAttr.SIZE);
        Pointer p = call.pointer();
        assertThat(p.getInt(at("test test.prog_fd"))).isEqualTo(fdA.raw());
        assertThat(p.getInt(at("test test.data_size_in"))).isEqualTo(20);
        assertThat(p.getInt(at("test test.data_size_out"))).isEqualTo(20 + ProgTestRunAttr.DEFAULT_DATA_OUT_PAD);
        assertThat(p.getLong(at("test test.data_in"))).isNotZero();
        assertThat(p.getLong(at("test test.data_out"))).isNotZero();
        assertThat(p.getInt(at("test test.repeat"))).isEqualTo(100);
        assertThat(p.getInt(at("test test.ctx_size_in"))).isEqualTo(24);
        assertThat(p.getInt(at("test test.ctx_size_out"))).isEqualTo(24);
        assertThat(p.getLong(at("test test.ctx_in"))).isNotZero();
        assertThat(p.getLong(at("test test.ctx_out"))).isNotZero();
        assertThat(p.getInt(at("test test.flags"))).isEqualTo(1);
        assertThat(p.getInt(at("test test.cpu"))).isEqualTo(3);
        assertThat(p.getInt(at("test test.batch_size"))).isEqualTo(64);
        p.setInt(at("test test.retval"), 2);
        p.setInt(at("test test.duration"), 40);
        p.setInt(at("test test.data_size_out"), 14);
        new Pointer(p.getLong(at("test test.data_out"))).setByte(13, (byte) 7);
        new Pointer(p.getLong(at("test test.ctx_in"))).setByte(0, (byte) 9);
        a.finish(call, scratch);
        scratch.close();
        TestRunResult r = a.result();
        assertThat(r.retval()).isEqualTo(2);
        assertThat(r.durationNs()).isEqualTo(40);
        assertThat(r.dataOut()).hasSize(14);
        assertThat(r.dataOut()[13]).isEqualTo((byte) 7);
        assertThat(r.ctxOut()).hasSize(24);
        assertThat(a.ctxInAfterCall()[0]).isEqualTo((byte) 9);
    }

    @Test
    void progAttachSettersWriteTheKernelFields() {
        ProgAttachAttr a = new ProgAttachAttr().targetFd(fdA.raw()).attachBpfFd(fdB.raw()).attachType(42)
                .attachFlags(2);
        Pointer p = a.pointer();
        assertThat(a.size()).isEqualTo(ProgAttachAttr.SIZE);
        assertThat(p.getInt(at("prog_attach target_fd"))).isEqualTo(fdA.raw());
        assertThat(p.getInt(at("prog_attach attach_bpf_fd"))).isEqualTo(fdB.raw());
        assertThat(p.getInt(at("prog_attach attach_type"))).isEqualTo(42);
        assertThat(p.getInt(at("prog_attach attach_flags"))).isEqualTo(2);
        assertThat(a.attachType()).isEqualTo(42);
        // Not set by bpfunit: must stay zero, or the kernel reads them as a replace/relative request.
        assertThat(p.getInt(at("prog_attach replace_bpf_fd"))).isZero();
        assertThat(p.getInt(at("prog_attach relative_fd"))).isZero();
        assertThat(p.getLong(at("prog_attach expected_revision"))).isZero();
        ProgAttachAttr probe = new ProgAttachAttr().targetFd(-1).attachBpfFd(-1);
        assertThat(probe.pointer().getInt(at("prog_attach target_fd"))).isEqualTo(-1);
        assertThat(probe.pointer().getInt(at("prog_attach attach_bpf_fd"))).isEqualTo(-1);
    }

    @Test
    void linkCreateSettersWriteTheKernelFields() {
        LinkCreateAttr a = new LinkCreateAttr().progFd(fdA).targetIfindex(7).attachType(37).flags(2).targetBtfId(123)
                .tracingCookie(0xabcdefL);
        Pointer p = a.pointer();
        assertThat(p.getInt(at("link_create link_create.prog_fd"))).isEqualTo(fdA.raw());
        assertThat(p.getInt(at("link_create link_create.target_ifindex"))).isEqualTo(7);
        assertThat(p.getInt(at("link_create link_create.attach_type"))).isEqualTo(37);
        assertThat(p.getInt(at("link_create link_create.flags"))).isEqualTo(2);
        assertThat(p.getInt(at("link_create link_create.target_btf_id"))).isEqualTo(123);
        assertThat(p.getLong(at("link_create link_create.tracing.cookie"))).isEqualTo(0xabcdefL);
        LinkCreateAttr iter = new LinkCreateAttr().progFd(fdA).iterInfo(new byte[8]);
        assertThat(iter.pointer().getLong(at("link_create link_create.iter_info"))).isNotZero();
        assertThat(iter.pointer().getInt(at("link_create link_create.iter_info_len"))).isEqualTo(8);
        LinkCreateAttr perf = new LinkCreateAttr().progFd(fdA).perfEventBpfCookie(42);
        assertThat(perf.pointer().getLong(at("link_create link_create.perf_event.bpf_cookie"))).isEqualTo(42);
    }

    @Test
    void internalAttrsWriteTheKernelFields() {
        MapElemAttr elem = new MapElemAttr(fdA).flags(4);
        assertThat(elem.pointer().getInt(at("map_elem map_fd"))).isEqualTo(fdA.raw());
        assertThat(elem.pointer().getLong(at("map_elem flags"))).isEqualTo(4);
        MapBatchAttr batch = new MapBatchAttr(fdB).count(9).elemFlags(4);
        assertThat(batch.pointer().getInt(at("map_batch batch.map_fd"))).isEqualTo(fdB.raw());
        assertThat(batch.pointer().getInt(at("map_batch batch.count"))).isEqualTo(9);
        assertThat(batch.pointer().getLong(at("map_batch batch.elem_flags"))).isEqualTo(4);
        ObjAttr obj = new ObjAttr("/sys/fs/bpf/x").bpfFd(fdA);
        assertThat(new Pointer(obj.pointer().getLong(at("obj pathname"))).getString(0)).isEqualTo("/sys/fs/bpf/x");
        assertThat(obj.pointer().getInt(at("obj bpf_fd"))).isEqualTo(fdA.raw());
        assertThat(new GetFdByIdAttr(31).pointer().getInt(at("get_id prog_id"))).isEqualTo(31);
        RawTracepointAttr rt = new RawTracepointAttr("sys_enter", fdB);
        assertThat(new Pointer(rt.pointer().getLong(at("raw_tracepoint raw_tracepoint.name"))).getString(0))
                .isEqualTo("sys_enter");
        assertThat(rt.pointer().getInt(at("raw_tracepoint raw_tracepoint.prog_fd"))).isEqualTo(fdB.raw());
    }

    @Test
    void closedFdCannotBeWrittenIntoAnAttr() {
        Fd fd = Fd.adopt(Libc.fcntl(1, Libc.F_DUPFD_CLOEXEC, 1), "map 'gone'");
        fd.close();
        assertThatThrownBy(() -> new MapCreateAttr().innerMapFd(fd)).hasMessage("map 'gone' is closed");
    }
}

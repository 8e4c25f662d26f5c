package dev.bpfunit.sys;

import static dev.bpfunit.sys.BpfConstants.BPF_ANY;
import static dev.bpfunit.sys.BpfConstants.BPF_NOEXIST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfunit.error.BpfException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Map commands against this machine's kernel (needs root or CAP_BPF). */
class BpfMapTest {

    @BeforeAll
    static void privileged() {
        assumeTrue(SystemInfo.hasCapBpf(), "needs root or CAP_BPF to create maps");
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    static int u32(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(offset);
    }

    static long u64(byte[] b, int offset) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong(offset);
    }

    static Fd array(String name, int valueSize, int maxEntries, int flags) {
        return Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_ARRAY).keySize(4)
                .valueSize(valueSize).maxEntries(maxEntries).mapFlags(flags).mapName(name));
    }

    static Fd hash(String name, int maxEntries) {
        return Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_HASH).keySize(4).valueSize(4)
                .maxEntries(maxEntries).mapName(name));
    }

    @Test
    void arrayUpdateLookupIterateAndRangeError() {
        try (Fd map = array("sys_arr", 8, 4, 0)) {
            assertThat(map.description()).isEqualTo("map 'sys_arr'");
            Bpf.mapUpdateElem(map, u32(1), u64(0x1122334455667788L), BPF_ANY);
            byte[] value = new byte[8];
            assertThat(Bpf.mapLookupElem(map, u32(1), value, 0)).isTrue();
            assertThat(u64(value, 0)).isEqualTo(0x1122334455667788L);
            assertThat(Bpf.mapLookupElem(map, u32(0), value, 0)).as("arrays hold every index").isTrue();
            assertThat(u64(value, 0)).isZero();
            assertThat(Bpf.mapLookupElem(map, u32(4), value, 0)).as("beyond max_entries").isFalse();

            List<Integer> keys = new ArrayList<>();
            byte[] key = null;
            byte[] next = new byte[4];
            while (Bpf.mapGetNextKey(map, key, next)) {
                keys.add(u32(next, 0));
                key = next.clone();
            }
            assertThat(keys).containsExactly(0, 1, 2, 3);

            assertThatThrownBy(() -> Bpf.mapUpdateElem(map, u32(4), u64(1), BPF_ANY))
                    .isInstanceOf(BpfSyscallException.class)
                    .hasMessage("BPF_MAP_UPDATE_ELEM map 'sys_arr' (fd " + map.raw() + "): E2BIG (Argument list too "
                            + "long): array index out of range (max_entries 4)");
            assertThatThrownBy(() -> Bpf.mapDeleteElem(map, u32(1))).isInstanceOf(BpfSyscallException.class)
                    .hasMessageStartingWith("BPF_MAP_DELETE_ELEM map 'sys_arr'").hasMessageContaining("EINVAL");
        }
    }

    @Test
    void hashUpdateLookupDeleteAndFullMap() {
        try (Fd map = hash("sys_hash", 2)) {
            Bpf.mapUpdateElem(map, u32(10), u32(100), BPF_ANY);
            Bpf.mapUpdateElem(map, u32(20), u32(200), BPF_NOEXIST);
            byte[] value = new byte[4];
            assertThat(Bpf.mapLookupElem(map, u32(20), value, 0)).isTrue();
            assertThat(u32(value, 0)).isEqualTo(200);
            assertThat(Bpf.mapLookupElem(map, u32(30), value, 0)).isFalse();

            BpfSyscallException full = (BpfSyscallException) catchThrowable(
                    () -> Bpf.mapUpdateElem(map, u32(30), u32(300), BPF_ANY));
            assertThat(full.command()).isEqualTo(BpfCommand.BPF_MAP_UPDATE_ELEM);
            assertThat(full.errno()).isEqualTo(Errno.E2BIG);
            assertThat(full.subject()).isEqualTo("map 'sys_hash' (fd " + map.raw() + ")");
            assertThat(full.hint()).isEqualTo("map is full (max_entries 2)");
            assertThat(full).hasMessage("BPF_MAP_UPDATE_ELEM map 'sys_hash' (fd " + map.raw()
                    + "): E2BIG (Argument list too long): map is full (max_entries 2)");

            assertThatThrownBy(() -> Bpf.mapUpdateElem(map, u32(10), u32(1), BPF_NOEXIST))
                    .hasMessageContaining("EEXIST (File exists): an element with that key already exists");

            Set<Integer> keys = new HashSet<>();
            byte[] key = null;
            byte[] next = new byte[4];
            while (Bpf.mapGetNextKey(map, key, next)) {
                keys.add(u32(next, 0));
                key = next.clone();
            }
            assertThat(keys).containsExactlyInAnyOrder(10, 20);

            assertThat(Bpf.mapDeleteElem(map, u32(10))).isTrue();
            assertThat(Bpf.mapDeleteElem(map, u32(10))).isFalse();
            assertThat(Bpf.mapLookupElem(map, u32(10), value, 0)).isFalse();
        }
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    @Test
    void wrongBufferSizesAreRefusedBeforeTheKernelCopiesAnything() {
        try (Fd map = hash("sys_sizes", 4)) {
            assertThatThrownBy(() -> Bpf.mapUpdateElem(map, new byte[8], u32(1), BPF_ANY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key for map 'sys_sizes' (fd " + map.raw() + ") must be 4 bytes (the map's key_size), "
                            + "got 8 bytes");
            assertThatThrownBy(() -> Bpf.mapLookupElem(map, u32(1), new byte[2], 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("valueOut for map 'sys_sizes'").hasMessageContaining("must be 4 bytes");
        }
    }

    @Test
    void perCpuValuesHoldOneSlotPerPossibleCpu() {
        try (Fd map = Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_PERCPU_ARRAY).keySize(4)
                .valueSize(4).maxEntries(1).mapName("sys_pcpu"))) {
            int cpus = SystemInfo.possibleCpuCount();
            byte[] values = new byte[8 * cpus];
            for (int cpu = 0; cpu < cpus; cpu++) {
                ByteBuffer.wrap(values).order(ByteOrder.nativeOrder()).putInt(8 * cpu, 100 + cpu);
            }
            Bpf.mapUpdateElem(map, u32(0), values, BPF_ANY);
            byte[] out = new byte[8 * cpus];
            assertThat(Bpf.mapLookupElem(map, u32(0), out, 0)).isTrue();
            for (int cpu = 0; cpu < cpus; cpu++) {
                assertThat(u32(out, 8 * cpu)).isEqualTo(100 + cpu);
            }
            assertThatThrownBy(() -> Bpf.mapLookupElem(map, u32(0), new byte[4], 0))
                    .hasMessageContaining("round_up(value_size 4, 8) x " + cpus + " possible CPUs");
        }
    }

    /** Keys 1..n with the values key * 1000 in one {@code BPF_MAP_UPDATE_BATCH}; how many the kernel updated. */
    private static int putThousands(Fd map, int n) {
        ByteBuffer keys = ByteBuffer.allocate(4 * n).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(4 * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            keys.putInt(i + 1);
            values.putInt((i + 1) * 1000);
        }
        return Bpf.mapUpdateBatch(map, keys.array(), values.array(), n, BPF_ANY);
    }

    @Test
    void batchOperationsWalkTheWholeMap() {
        try (Fd map = hash("sys_batch", 64)) {
            int n = 10;
            assertThat(putThousands(map, n)).isEqualTo(n);

            Set<Integer> seen = new HashSet<>();
            byte[] token = null;
            int calls = 0;
            while (true) {
                byte[] k = new byte[4 * 4];
                byte[] v = new byte[4 * 4];
                BatchResult r = Bpf.mapLookupBatch(map, token, k, v, 4, 0);
                for (int i = 0; i < r.count(); i++) {
                    assertThat(u32(v, 4 * i)).isEqualTo(u32(k, 4 * i) * 1000);
                    seen.add(u32(k, 4 * i));
                }
                calls++;
                if (r.done()) {
                    break;
                }
                token = r.nextBatch();
                assertThat(calls).as("batch calls").isLessThan(20);
            }
            assertThat(seen).hasSize(n);

            ByteBuffer del = ByteBuffer.allocate(4 * 3).order(ByteOrder.nativeOrder()).putInt(1).putInt(2).putInt(3);
            assertThat(Bpf.mapDeleteBatch(map, del.array(), 3, 0)).isEqualTo(3);
            BpfSyscallException missing = (BpfSyscallException) catchThrowable(
                    () -> Bpf.mapDeleteBatch(map, del.array(), 3, 0));
            assertThat(missing.errno()).isEqualTo(Errno.ENOENT);
            assertThat(missing.hint()).isEqualTo("0 of 3 elements were processed before the failure");

            byte[] k = new byte[4 * 16];
            byte[] v = new byte[4 * 16];
            BatchResult all = Bpf.mapLookupAndDeleteBatch(map, null, k, v, 16, 0);
            assertThat(all.count()).isEqualTo(n - 3);
            assertThat(all.done()).isTrue();
            assertThat(Bpf.mapGetNextKey(map, null, new byte[4])).as("map emptied").isFalse();
        }
    }

    @Test
    void batchLookupIntoAConsumerSeesWhatTheArraysGet() {
        try (Fd map = hash("sys_batch_view", 64)) {
            int n = 10;
            putThousands(map, n);

            Map<Integer, Integer> seen = new HashMap<>();
            List<Integer> counts = new ArrayList<>();
            byte[] token = null;
            int calls = 0;
            while (true) {
                BatchResult r = Bpf.mapLookupBatch(map, token, 4, 0, (count, k, v) -> {
                    assertThat(k.isReadOnly()).isTrue();
                    assertThat(v.isReadOnly()).isTrue();
                    assertThat(k.remaining()).isEqualTo(4 * count);
                    assertThat(v.remaining()).isEqualTo(4 * count);
                    for (int i = 0; i < count; i++) {
                        seen.put(k.getInt(4 * i), v.getInt(4 * i));
                    }
                    counts.add(count);
                });
                calls++;
                assertThat(counts).as("one call of the consumer per batch call").hasSize(calls);
                assertThat(counts.get(counts.size() - 1)).isEqualTo(r.count());
                if (r.done()) {
                    break;
                }
                token = r.nextBatch();
                assertThat(calls).as("batch calls").isLessThan(20);
            }
            assertThat(counts.size()).as("10 elements, 4 at a time").isGreaterThanOrEqualTo(3);
            assertThat(seen).hasSize(n);
            seen.forEach((k, v) -> assertThat(v).isEqualTo(k * 1000));

            byte[] k = new byte[4 * 16];
            byte[] v = new byte[4 * 16];
            BatchResult all = Bpf.mapLookupBatch(map, null, k, v, 16, 0);
            assertThat(all.count()).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(seen).containsEntry(u32(k, 4 * i), u32(v, 4 * i));
            }
            assertThatThrownBy(() -> Bpf.mapLookupBatch(map, null, 0, 0, (count, ks, vs) -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be positive, got 0");
        }
    }

    @Test
    void queuePopsInOrderAndReportsEmpty() {
        try (Fd queue = Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_QUEUE).keySize(0)
                .valueSize(4).maxEntries(4).mapName("sys_queue"))) {
            Bpf.mapUpdateElem(queue, null, u32(1), BPF_ANY);
            Bpf.mapUpdateElem(queue, null, u32(2), BPF_ANY);
            byte[] out = new byte[4];
            assertThat(Bpf.mapLookupAndDeleteElem(queue, null, out, 0)).isTrue();
            assertThat(u32(out, 0)).isEqualTo(1);
            assertThat(Bpf.mapLookupAndDeleteElem(queue, null, out, 0)).isTrue();
            assertThat(u32(out, 0)).isEqualTo(2);
            assertThat(Bpf.mapLookupAndDeleteElem(queue, null, out, 0)).isFalse();
            assertThatThrownBy(() -> Bpf.mapUpdateElem(queue, u32(0), u32(3), BPF_ANY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pass null");
        }
    }

    @Test
    void frozenMapRefusesUpdatesWithAClearMessage() {
        try (Fd map = array("sys_frozen", 4, 1, 0)) {
            Bpf.mapUpdateElem(map, u32(0), u32(7), BPF_ANY);
            Bpf.mapFreeze(map);
            assertThatThrownBy(() -> Bpf.mapUpdateElem(map, u32(0), u32(8), BPF_ANY))
                    .isInstanceOf(BpfSyscallException.class)
                    .hasMessage("BPF_MAP_UPDATE_ELEM map 'sys_frozen' (fd " + map.raw() + "): EPERM (Operation not "
                            + "permitted): the map is read-only from user space: it was frozen (BPF_MAP_FREEZE, as "
                            + ".rodata is after loading) or created with BPF_F_RDONLY");
            byte[] out = new byte[4];
            assertThat(Bpf.mapLookupElem(map, u32(0), out, 0)).isTrue();
            assertThat(u32(out, 0)).isEqualTo(7);
        }
    }

    @Test
    void bogusMapTypeNamesTheCommandAndTheMap() {
        MapCreateAttr attr = new MapCreateAttr().mapType(9999).keySize(4).valueSize(4).maxEntries(1)
                .mapName("bogus_map");
        assertThatThrownBy(() -> Bpf.mapCreate(attr)).isInstanceOf(BpfSyscallException.class)
                .hasMessage("BPF_MAP_CREATE map 'bogus_map': EINVAL (Invalid argument): the kernel rejected the map "
                        + "definition (check type, key/value sizes, max_entries and flags for this map type)")
                .extracting(e -> ((BpfSyscallException) e).command()).isEqualTo(BpfCommand.BPF_MAP_CREATE);
    }

    @Test
    void mapInfoMatchesWhatWasCreated() {
        try (Fd map = Bpf.mapCreate(new MapCreateAttr().mapType(BpfConstants.BPF_MAP_TYPE_HASH).keySize(8)
                .valueSize(16).maxEntries(33).mapFlags(BpfConstants.BPF_F_NO_PREALLOC).mapName("sys-info!"))) {
            MapInfo info = Bpf.mapInfo(map);
            assertThat(info.type()).isEqualTo(BpfConstants.BPF_MAP_TYPE_HASH);
            assertThat(info.id()).isPositive();
            assertThat(info.keySize()).isEqualTo(8);
            assertThat(info.valueSize()).isEqualTo(16);
            assertThat(info.maxEntries()).isEqualTo(33);
            assertThat(info.flags()).isEqualTo(BpfConstants.BPF_F_NO_PREALLOC);
            assertThat(info.name()).isEqualTo("sysinfo");
            assertThat(info.btfId()).isZero();

            try (Fd again = Bpf.mapGetFdById(info.id())) {
                assertThat(Bpf.mapInfo(again).id()).isEqualTo(info.id());
                assertThat(again.description()).isEqualTo("map id " + info.id());
            }
        }
    }

    @Test
    void nextIdFindsALiveMapAndProgramWithoutHoldingThem() {
        int mapId;
        try (Fd map = array("sys_nextid", 4, 1, 0)) {
            mapId = Bpf.mapInfo(map).id();
            assertThat(Bpf.mapGetNextId(mapId - 1)).hasValue(mapId);
        }
        // a plain array goes with its last fd: its id is released at once
        assertThat(Bpf.mapGetNextId(mapId - 1)).satisfiesAnyOf(
                next -> assertThat(next).isEmpty(),
                next -> assertThat(next.getAsInt()).isNotEqualTo(mapId));
    }

    @Test
    void mmapSeesUpdatesAndUpdatesSeeWrites() {
        try (Fd map = array("sys_mmap", 8, 4, BpfConstants.BPF_F_MMAPABLE)) {
            Bpf.mapUpdateElem(map, u32(2), u64(0xfeedL), BPF_ANY);
            MappedRegion region = Bpf.mmap(map, 32, true);
            try {
                assertThat(region.getLong(16)).isEqualTo(0xfeedL);
                region.putLong(0, 0xbeefL);
                byte[] out = new byte[8];
                assertThat(Bpf.mapLookupElem(map, u32(0), out, 0)).isTrue();
                assertThat(u64(out, 0)).isEqualTo(0xbeefL);
                region.putBytes(24, u64(5));
                assertThat(region.getBytes(24, 8)).isEqualTo(u64(5));
                assertThatThrownBy(() -> region.getLong(28)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("bytes [28, 36) are outside the 32 bytes");
                assertThatThrownBy(() -> Bpf.mapFreeze(map)).isInstanceOf(BpfSyscallException.class)
                        .hasMessageContaining("EBUSY");
            } finally {
                region.close();
            }
            region.close();
            assertThatThrownBy(() -> region.get(0)).isInstanceOf(BpfException.class).hasMessageContaining("is closed");

            try (MappedRegion readOnly = Bpf.mmap(map, 32, false)) {
                assertThat(readOnly.getLong(0)).isEqualTo(0xbeefL);
                assertThatThrownBy(() -> readOnly.put(0, (byte) 1)).isInstanceOf(BpfException.class)
                        .hasMessageContaining("read-only");
            }
        }
    }

    @Test
    void mmapOfAPlainMapExplainsWhy() {
        try (Fd map = array("sys_nommap", 8, 4, 0)) {
            assertThatThrownBy(() -> Bpf.mmap(map, 4096, false)).isInstanceOf(BpfSyscallException.class)
                    .hasMessageStartingWith("mmap map 'sys_nommap' (fd " + map.raw() + "): ")
                    .hasMessageContaining("BPF_F_MMAPABLE");
        }
    }
}

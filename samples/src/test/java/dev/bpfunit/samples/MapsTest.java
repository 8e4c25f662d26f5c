package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static dev.bpfunit.samples.Samples.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.MapCodec;
import dev.bpfunit.PerfReader;
import dev.bpfunit.RingBuffer;
import dev.bpfunit.TypedMap;
import dev.bpfunit.XdpAction;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.junit.EnabledOnKernel;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.SystemInfo;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Map access on loaded sample objects, compared with bpftool's view of the same maps where it can load them. */
class MapsTest {
    static final byte[] A = {10, 0, 0, 1};
    static final byte[] B = {10, 0, 0, 2};

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void perCpuStatsMatchBpftoolMapDump() {
        byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
        try (Bpftool.Loaded ref = Bpftool.loadAll(object("xdp_fw")); BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            for (int i = 0; i < 3; i++) {
                ref.run("xdp_fw", packet, null, 0);
                obj.program("xdp_fw").run(packet);
            }
            BpfMap stats = obj.map("stats");
            JsonNode dump = ref.dump("stats");
            assertThat(dump).hasSize(5);
            for (JsonNode entry : dump) {
                int key = ByteBuffer.wrap(Bpftool.bytes(entry.get("key"))).order(ByteOrder.LITTLE_ENDIAN).getInt();
                List<byte[]> ours = stats.lookupPerCpu(u32(key));
                assertThat(ours).hasSize(SystemInfo.possibleCpuCount());
                long refPackets = 0;
                long ourPackets = 0;
                for (JsonNode cpu : entry.get("values")) {
                    refPackets += u64(Bpftool.bytes(cpu.get("value")));
                }
                for (byte[] v : ours) {
                    ourPackets += u64(v);
                }
                assertThat(ourPackets).as("packets of verdict %d", key).isEqualTo(refPackets);
            }
            assertThat(stats.sumPerCpu(XdpAction.PASS.raw(), "packets")).isEqualTo(3);
            assertThat(stats.sumPerCpu(XdpAction.PASS.raw(), "bytes")).isEqualTo(3L * packet.length);
            assertThat(stats.lookupPerCpuValues(XdpAction.PASS.raw()).get(0).typeName())
                    .isEqualTo("struct verdict_stats");
            assertThat(stats.dump()).contains("packets").contains("cpu0");
            assertThatThrownBy(() -> stats.lookupValue(0)).hasMessageContaining("lookupPerCpuValues");
        }
    }

    @Test
    void blocklistThroughBtfAndCodecs() throws Exception {
        byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            BpfMap blocklist = obj.map("blocklist");
            blocklist.updateValue(A, Map.of("rule_id", 7));
            BtfValue reason = blocklist.lookupValue(A).orElseThrow();
            assertThat(reason.get("rule_id").asLong()).isEqualTo(7);
            assertThat(obj.program("xdp_fw").run(packet).xdpAction()).isEqualTo(XdpAction.DROP);
            assertThat(blocklist.render(A)).contains("rule_id").contains("7");

            TypedMap<Inet4Address, byte[]> typed = blocklist.typed(MapCodec.ipv4(), MapCodec.bytes(8));
            assertThat(typed.keys()).containsExactly((Inet4Address) InetAddress.getByAddress(A));
            assertThat(typed.remove((Inet4Address) InetAddress.getByAddress(A))).isTrue();
            assertThat(obj.program("xdp_fw").run(packet).xdpAction()).isEqualTo(XdpAction.PASS);

            blocklist.update(A, new byte[8], BpfMap.NOEXIST);
            assertThatThrownBy(() -> blocklist.update(A, new byte[8], BpfMap.NOEXIST))
                    .isInstanceOf(BpfSyscallException.class).hasMessageContaining("EEXIST");
            assertThatThrownBy(() -> blocklist.update(B, new byte[8], BpfMap.EXIST))
                    .isInstanceOf(BpfSyscallException.class).hasMessageContaining("ENOENT");
            assertThatThrownBy(() -> blocklist.lookup(new byte[3]))
                    .hasMessageContaining("map 'blocklist'").hasMessageContaining("3 bytes")
                    .hasMessageContaining("4 bytes");
            assertThatThrownBy(() -> blocklist.typed(MapCodec.u64(), MapCodec.u64()))
                    .hasMessageContaining("keys are 4 bytes");
        }
    }

    @Test
    void batchOperations() {
        try (BpfObject obj = BpfObject.load(object("xdp_fw"))) {
            BpfMap blocklist = obj.map("blocklist");
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                keys.add(u32(i));
                values.add(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(i * 3).putInt(0).array());
            }
            assertThat(blocklist.updateBatch(keys, values, BpfMap.ANY)).isEqualTo(600);
            List<BpfMap.Entry> all = blocklist.lookupBatch();
            assertThat(all).hasSize(600);
            for (BpfMap.Entry e : all) {
                assertThat(Samples.u32(e.value(), 0)).isEqualTo(3 * Samples.u32(e.key(), 0));
            }
            assertThat(blocklist.entries()).containsExactlyInAnyOrderElementsOf(all);
            assertThat(blocklist.deleteBatch(keys.subList(0, 100))).isEqualTo(100);
            assertThat(blocklist.keys()).hasSize(500);
        }
    }

    @Test
    @EnabledOnKernel(min = "6.2", reason = "on Debian's 6.1.0-56 (6.1.192) bpf_map_pop_elem on an empty queue"
            + " returns 0 with a zeroed value instead of -ENOENT; bpftool prog run shows the same")
    void queueStackAndPerCpuHash() {
        try (BpfObject obj = BpfObject.load(object("percpu_queue"))) {
            BpfMap in = obj.map("in_queue");
            BpfMap out = obj.map("out_stack");
            in.push(u64(5));
            in.push(u64(6));
            assertThat(in.peek().map(MapsTest::u64)).contains(5L);
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            assertThat(obj.program("move_one").run(packet).xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(obj.program("move_one").run(packet).xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(obj.program("move_one").run(packet).xdpAction()).isEqualTo(XdpAction.DROP);
            assertThat(out.pop().map(MapsTest::u64)).contains(12L);
            assertThat(out.pop().map(MapsTest::u64)).contains(10L);
            assertThat(out.pop()).isEmpty();
            BpfMap hist = obj.map("len_hist");
            assertThat(hist.sumPerCpu(packet.length)).isEqualTo(3);
            assertThat(hist.typed(MapCodec.u32(), MapCodec.u64()).getPerCpu(packet.length).stream()
                    .mapToLong(Long::longValue).sum()).isEqualTo(3);
            hist.updateValue(packet.length, 10L);
            assertThat(hist.sumPerCpu(packet.length)).isEqualTo(10L * SystemInfo.possibleCpuCount());
            assertThatThrownBy(in::keys).hasMessageContaining("has no keys").hasMessageContaining("pop()");
            assertThatThrownBy(() -> hist.push(u64(1))).hasMessageContaining("is for QUEUE and STACK");
            for (int i = 0; i < 16; i++) {
                in.push(u64(i));
            }
            assertThatThrownBy(() -> in.push(u64(99))).isInstanceOf(BpfSyscallException.class)
                    .hasMessageContaining("E2BIG");
        }
    }

    @Test
    void mapInMap() {
        try (BpfObject obj = BpfObject.load(object("map_in_map"))) {
            assertThat(obj.map("outer_array").innerMapId(0)).contains(obj.map("inner_a").info().id());
            assertThat(obj.map("outer_hash").innerMapId(3)).contains(obj.map("inner_b").info().id());
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            obj.map("inner_a").update(u32(0), u32(1));
            assertThat(obj.program("inner_lookup").run(packet).xdpAction()).isEqualTo(XdpAction.DROP);
            BpfMap empty = obj.map("outer_empty");
            assertThat(empty.innerMapId(0)).isEmpty();
            empty.setInnerMap(0, obj.map("inner_b"));
            assertThat(empty.innerMapId(0)).contains(obj.map("inner_b").info().id());
        }
    }

    @Test
    void ringBufferRecordsOfEachRun() {
        try (BpfObject obj = BpfObject.load(object("ringbuf"))) {
            RingBuffer events = obj.ringBuffer("events");
            assertThat(events.readAll()).isEmpty();
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            obj.program("ringbuf_event").testRun().data(packet).repeat(3).run();
            // struct event is only used through a pointer local, so clang leaves it out of BTF: read bytes
            List<byte[]> records = events.readAll();
            assertThat(records).hasSize(3);
            for (int i = 0; i < 3; i++) {
                ByteBuffer e = ByteBuffer.wrap(records.get(i)).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(records.get(i)).hasSize(16);
                assertThat(e.getLong(0)).as("seq").isEqualTo(i + 1);
                assertThat(e.getInt(8)).as("frame_len").isEqualTo(packet.length);
                assertThat(Short.toUnsignedInt(e.getShort(12))).as("eth_proto").isEqualTo(0x0800);
            }
            assertThat(events.readAll()).isEmpty();
            assertThat(events.pending()).isZero();
            // fill it past its end: 4096 bytes hold 170 records of 24; the rest count as ringbuf_full
            obj.program("ringbuf_event").testRun().data(packet).repeat(200).run();
            assertThat(events.readAll()).hasSize((int) (200 - obj.globals().get("ringbuf_full").asLong()));
            obj.program("ringbuf_event").run(packet);
            assertThat(events.readAll()).hasSize(1);
        }
    }

    @Test
    void perfEventArraySamples() {
        try (BpfObject obj = BpfObject.load(object("ringbuf"))) {
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            obj.program("perf_event").run(packet);
            assertThat(obj.globals().get("perf_errors").asLong()).as("no reader yet: ENOENT").isEqualTo(1);
            PerfReader reader = obj.perfReader("perf_events");
            obj.program("perf_event").testRun().data(packet).repeat(4).run();
            assertThat(obj.globals().get("perf_errors").asLong()).isEqualTo(1);
            List<PerfReader.Sample> samples = reader.readAll();
            assertThat(samples).hasSize(4);
            for (int i = 0; i < 4; i++) {
                ByteBuffer e = ByteBuffer.wrap(samples.get(i).data(16)).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(e.getLong(0)).isEqualTo(i + 2);
                assertThat(e.getInt(8)).isEqualTo(packet.length);
            }
            assertThat(reader.readAll()).isEmpty();
            assertThat(reader.lost()).isZero();

            obj.program("perf_event").run(packet);
            assertThat(reader.await(1, java.time.Duration.ofSeconds(2))).hasSize(1);
            assertThatThrownBy(() -> reader.await(1, java.time.Duration.ofMillis(50)))
                    .hasMessage("waited 50 ms for 1 sample from perf event array 'perf_events', got 0");
        }
    }

    @Test
    void freezeStopsUserspaceWrites() {
        try (BpfObject obj = BpfObject.load(object("callback"))) {
            BpfMap numbers = obj.map("numbers");
            numbers.update(u32(0), u64(3));
            numbers.freeze();
            assertThatThrownBy(() -> numbers.update(u32(0), u64(4))).isInstanceOf(BpfSyscallException.class)
                    .hasMessageContaining("EPERM");
            assertThat(numbers.lookup(u32(0)).map(MapsTest::u64)).contains(3L);
        }
    }

    @Test
    void legacyMapsWithoutBtfByCodecs() {
        try (BpfObject obj = BpfObject.load(object("legacy_maps"))) {
            byte[] packet = Frames.udp4(A, B, 1, 2, 8, 64);
            obj.program("legacy_xdp").testRun().data(packet).repeat(3).run();
            TypedMap<Integer, Long> protos = obj.map("proto_count").typed(MapCodec.u32(), MapCodec.u64());
            assertThat(protos.get(0)).contains(3L);
            assertThat(protos.entries()).containsEntry(1, 0L).hasSize(4);
            assertThat(obj.map("seen_len").typed(MapCodec.u32(), MapCodec.u32()).entries())
                    .containsExactly(Map.entry(packet.length, 3));
            assertThatThrownBy(() -> obj.map("proto_count").lookupValue(0))
                    .isInstanceOf(BpfException.class).hasMessageContaining("has no BTF type");
            assertThat(obj.map("proto_count").dump()).contains("key: 00 00 00 00  value: 03 00 00 00 00 00 00 00");
        }
    }
}

package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Packets;
import dev.bpfunit.spec.MapType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * BTF maps as aya-ebpf's {@code btf_maps} emit them: each definition wrapped in the map type's tuple field
 * {@code __0} and {@code UnsafeCell}'s {@code value} (see aya_btf_maps.bpf.c), one of each kind Aya has.
 * They load with the types and sizes of the inner definition, and the program uses every one of them.
 */
@BpfTest("bpf/aya_btf_maps.bpf.o")
class AyaBtfMapsTest {

    /** {@code struct DropEvent} of aya_btf_maps.bpf.c, matched by field name. */
    record DropEvent(Ipv4Address saddr, Ipv4Address daddr, int reason, int len) {
    }

    @Program("aya_btf_xdp") BpfProgram xdp;
    @Map("BLOCKLIST") BpfMap blocklist;
    @Map("ROUTES") BpfMap routes;
    @Map("JUMPS") BpfMap jumps;
    @Map("EVENTS") BpfMap events;

    static byte[] udp(String src, String dst) {
        return Packets.ethernet().ipv4().src(src).dst(dst).udp().dstPort(80).payload(18).bytes();
    }

    /** An LPM trie key: prefix length in bits, then the IPv4 address (Aya's {@code Key<[u8; 4]>}). */
    static java.util.Map<String, Object> prefix(int bits, String address) {
        return java.util.Map.of("prefix_len", bits, "data", Ipv4Address.of(address).bytes());
    }

    @Test
    void everyMapKindLoadsWithTheInnerDefinition(BpfObject obj) {
        assertThat(blocklist.type()).isEqualTo(MapType.HASH);
        assertThat(blocklist.info().keySize()).isEqualTo(4);
        assertThat(blocklist.info().maxEntries()).isEqualTo(16);
        assertThat(obj.map("LAST_LEN").type()).isEqualTo(MapType.ARRAY);
        assertThat(obj.map("LAST_LEN").info().valueSize()).isEqualTo(8);
        assertThat(obj.map("VERDICTS").type()).isEqualTo(MapType.PERCPU_ARRAY);
        assertThat(obj.map("PROTO_LEN").type()).isEqualTo(MapType.PERCPU_HASH);
        assertThat(routes.type()).isEqualTo(MapType.LPM_TRIE);
        assertThat(routes.info().keySize()).isEqualTo(8);
        assertThat(routes.info().flags() & 1).as("BPF_F_NO_PREALLOC").isEqualTo(1);
        assertThat(jumps.type()).isEqualTo(MapType.PROG_ARRAY);
        assertThat(jumps.info().maxEntries()).isEqualTo(2);
        assertThat(events.type()).isEqualTo(MapType.RINGBUF);
        assertThat(events.info().maxEntries()).isEqualTo(4096);
        assertThat(events.info().valueSize()).as("the record type stays ours").isZero();
    }

    @Test
    void blocklistedSourcesAreDroppedAndReported() {
        blocklist.updateValue(Ipv4Address.of("10.0.0.66").bytes(), 1);
        byte[] frame = udp("10.0.0.66", "10.0.0.1");

        assertThat(xdp.run(frame)).hasVerdict(XdpAction.DROP);
        assertThat(xdp.run(udp("10.0.0.7", "10.0.0.1"))).hasVerdict(XdpAction.PASS);

        List<DropEvent> drops = events.ringBuffer().readAll(DropEvent.class);   // by the RingBuf<DropEvent> type
        assertThat(drops).containsExactly(new DropEvent(Ipv4Address.of("10.0.0.66"), Ipv4Address.of("10.0.0.1"), 1,
                frame.length));
    }

    @Test
    void theLongestRoutePrefixDecides(@Map("VERDICTS") BpfMap verdicts, @Map("PROTO_LEN") BpfMap protoLen) {
        routes.updateValue(prefix(8, "192.0.0.0"), XdpAction.PASS.raw());
        routes.updateValue(prefix(24, "192.0.2.0"), XdpAction.DROP.raw());
        byte[] toDropped = udp("10.0.0.7", "192.0.2.9");

        assertThat(xdp.run(toDropped)).hasVerdict(XdpAction.DROP);
        assertThat(xdp.run(udp("10.0.0.7", "192.9.9.9"))).hasVerdict(XdpAction.PASS);
        assertThat(events.ringBuffer().readAllValues()).singleElement()
                .satisfies(e -> assertThat(e.get("reason").asInt()).isEqualTo(2));
        assertThat(verdicts).hasPerCpuSum(XdpAction.DROP.raw(), 1).hasPerCpuSum(XdpAction.PASS.raw(), 1);
        assertThat(protoLen).hasPerCpuSum(17, 2L * toDropped.length);   // UDP
    }

    @Test
    void unroutedFramesTakeTheTailCall(@Program("aya_btf_tail") BpfProgram tail, @Map("LAST_LEN") BpfMap lastLen) {
        byte[] frame = udp("10.0.0.7", "10.9.9.9");
        assertThat(xdp.run(frame)).as("an empty slot falls through").hasVerdict(XdpAction.PASS);

        jumps.setProgram(0, tail);
        assertThat(xdp.run(frame)).hasVerdict(XdpAction.TX);
        assertThat(lastLen).containsEntry(0, (long) frame.length);
    }
}

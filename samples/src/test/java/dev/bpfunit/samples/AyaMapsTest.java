package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TcAction;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Ethernet;
import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Packets;
import org.junit.jupiter.api.Test;

/**
 * An object laid out as Aya (Rust) emits one: maps as 28-byte definitions in a {@code maps} section, without BTF,
 * so keys and values are numbers of the map's sizes. Tested the same way as a C object.
 */
@BpfTest("bpf/aya_maps.bpf.o")
class AyaMapsTest {

    static final String ATTACKER = "10.0.0.66";

    @Program("aya_xdp") BpfProgram xdp;
    @Map("BLOCKLIST") BpfMap blocklist;
    @Map("COUNTERS") BpfMap counters;

    static byte[] udpFrom(String source) {
        return Packets.ethernet().ipv4().src(source).dst("10.0.0.1").udp().dstPort(80).payload(16).bytes();
    }

    @Test
    void dropsBlockedSourcesAndCountsVerdicts() {
        blocklist.update(Ipv4Address.of(ATTACKER).bytes(), blocklist.encodeValue(1));

        assertThat(xdp.run(udpFrom(ATTACKER))).hasVerdict(XdpAction.DROP).hasDataUnchanged();
        assertThat(xdp.run(udpFrom("10.0.0.7"))).hasVerdict(XdpAction.PASS);
        assertThat(xdp.run(udpFrom("10.0.0.8"))).hasVerdict(XdpAction.PASS);
        assertThat(counters).containsEntry(XdpAction.DROP.raw(), 1L).containsEntry(XdpAction.PASS.raw(), 2L);
        assertThat(blocklist).hasSize(1).containsKey(Ipv4Address.of(ATTACKER).bytes());
    }

    @Test
    void theClassifierAndTheSocketFilterShareTheMaps(@Program("aya_classifier") BpfProgram classifier,
                                                     @Program("aya_socket") BpfProgram socket,
                                                     @Map("PER_CPU") BpfMap perCpu) {
        byte[] frame = udpFrom("10.0.0.7");

        assertThat(classifier.run(frame)).hasVerdict(TcAction.OK);
        assertThat(socket.run(frame)).hasRetval(frame.length - Ethernet.LENGTH);
        assertThat(socket.run(frame)).hasRetval(frame.length - Ethernet.LENGTH);
        assertThat(counters).containsEntry(3, 1L).containsEntry(XdpAction.DROP.raw(), 0L);
        assertThat(perCpu).hasPerCpuSum(0, 2);
        assertThat(blocklist).as("each test starts with empty maps").isEmpty();
    }
}

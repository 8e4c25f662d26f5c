package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.TcAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketBuilder;
import dev.bpfunit.packet.Packets;
import org.junit.jupiter.api.Test;

/**
 * A tc program that rewrites the packet it forwards, with the output asserted header by header: the MAC
 * addresses swapped, the TTL one lower and the IPv4 checksum updated to match.
 */
@BpfTest("bpf/tc_rewrite.bpf.o")
class TcRewriteTest {

    static final String CLIENT = "02:00:00:00:00:01";
    static final String ROUTER = "02:00:00:00:00:02";

    @Program("tc_rewrite") BpfProgram rewrite;

    static PacketBuilder dnsQuery(String srcMac, String dstMac, int ttl) {
        return Packets.ethernet().src(srcMac).dst(dstMac)
                .ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(ttl).identification(0x1234)
                .udp().srcPort(40000).dstPort(53).payload("example.org?");
    }

    @Test
    void forwardsWithTheTtlDecrementedAndTheChecksumFixed() {
        Packet query = dnsQuery(CLIENT, ROUTER, 64).build();

        assertThat(rewrite.run(query.bytes())).hasVerdict(TcAction.OK)
                .outputPacket().hasValidChecksums()
                .ethernet().hasSource(ROUTER).hasDestination(CLIENT)
                .ipv4().hasTtl(63).hasValidChecksum().hasSource("10.0.0.1").hasDestination("10.0.0.2")
                .udp().hasDestinationPort(53).hasValidChecksum();
    }

    @Test
    void changesNothingElse() {
        Packet query = dnsQuery(CLIENT, ROUTER, 64).build();
        // the same packet built as it should leave: the builder computes a fresh IPv4 checksum
        Packet forwarded = dnsQuery(ROUTER, CLIENT, 63).build();

        assertThat(rewrite.run(query.bytes())).hasOutputPacket(forwarded);
    }

    @Test
    void dropsAPacketWhoseTtlRunsOut() {
        assertThat(rewrite.run(dnsQuery(CLIENT, ROUTER, 1).bytes())).hasVerdict(TcAction.SHOT);
    }

    @Test
    void onlySwapsTheAddressesOfWhatIsNotIpv4() {
        Packet arp = Packets.ethernet().src(CLIENT).dst(ROUTER).arp().request()
                .sender(CLIENT, "10.0.0.1").target("00:00:00:00:00:00", "10.0.0.2").build();

        assertThat(rewrite.run(arp.bytes())).hasVerdict(TcAction.OK)
                .outputPacket().hasProtocols("Ethernet/ARP").hasPayload(new byte[0])
                .ethernet().hasSource(ROUTER).hasDestination(CLIENT).hasEtherType(0x0806);
    }
}

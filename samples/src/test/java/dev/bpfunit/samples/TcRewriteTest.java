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
    void changesExactlyTheMacsTheTtlAndTheChecksum() {
        Packet query = dnsQuery(CLIENT, ROUTER, 64).build();
        int checksum = dnsQuery(ROUTER, CLIENT, 63).build().ipv4().checksum();   // what it must become
        byte[] macs = Packets.ethernet().src(ROUTER).dst(CLIENT).ipv4().build().bytes();

        // snippet:regions
        assertThat(rewrite.run(query.bytes())).hasDataChangedAt(java.util.Map.of(
                        0, java.util.Arrays.copyOf(macs, 12),                        // destination and source MAC
                        22, new byte[] {63},                                        // IPv4 TTL
                        24, new byte[] {(byte) (checksum >> 8), (byte) checksum}))  // IPv4 header checksum
                .outputPacket().hasProtocols("Ethernet/IPv4/UDP/Payload")
                .ipv4().hasChecksum(checksum).hasValidChecksum();
        // end:regions
    }

    @Test
    void aWrongRegionIsReportedWithEveryExpectedChange() {
        Packet query = dnsQuery(CLIENT, ROUTER, 64).build();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertThat(rewrite.run(query.bytes()))
                        .hasDataChangedAt(java.util.Map.of(22, new byte[] {62}, 24, new byte[] {0, 0})))
                .hasMessageContaining("the input with 3e at 22, 00 00 at 24");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertThat(rewrite.run(query.bytes()))
                        .outputPacket().ipv4().hasChecksum(0x1234))
                .hasMessageContaining("checksum").hasMessageContaining("0x1234");
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

package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.packet.Ethernet;
import dev.bpfunit.packet.Packets;
import org.junit.jupiter.api.Test;

/**
 * A socket filter keeping only UDP over IPv4: its return value is how many bytes of the packet the socket gets.
 * Test runs of socket filters start the packet at the network header, so a kept packet counts without its
 * Ethernet header.
 */
@BpfTest("bpf/socket_filter.bpf.o")
class SocketFilterTest {

    /** The object's only program, injected without a name. */
    BpfProgram filter;

    @Test
    void keepsAllOfAUdpPacket() {
        byte[] dns = Packets.ethernet().ipv4().src("10.0.0.1").dst("10.0.0.53").udp().srcPort(5353).dstPort(53)
                .payload(32).bytes();

        assertThat(filter.run(dns)).hasRetval(dns.length - Ethernet.LENGTH);
    }

    @Test
    void dropsTcpAndIpv6() {
        byte[] tcp = Packets.ethernet().ipv4().tcp().dstPort(443).flags("SYN").bytes();
        byte[] udp6 = Packets.ethernet().ipv6().src("fd00::1").dst("fd00::2").udp().dstPort(53).payload(8).bytes();

        assertThat(filter.run(tcp)).hasRetval(0);
        assertThat(filter.run(udp6)).hasRetval(0);
    }
}

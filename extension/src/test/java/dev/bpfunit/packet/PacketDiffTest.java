package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacketDiffTest {

    @Test
    void equalPacketsHaveNoRows() {
        Packet p = Packets.ethernet().ipv4().udp().payload(3).build();
        PacketDiff diff = PacketDiff.of(p, Packet.parse(p.bytes()));
        assertThat(diff.isEmpty()).isTrue();
        assertThat(diff).hasToString("packets are equal");
    }

    @Test
    void showsEachDifferingFieldDecodedLayerByLayer() {
        Packet expected = Packets.ethernet().ipv4().dst("10.0.0.2").tcp().srcPort(1).dstPort(80).flags("SYN").mss(1460).build();
        Packet actual = Packets.ethernet().ipv4().dst("10.0.0.3").tcp().srcPort(1).dstPort(80).flags("SYN|ACK").mss(1400).build();
        PacketDiff diff = PacketDiff.of(expected, actual);
        assertThat(diff.rows()).extracting(PacketDiff.Row::layer, PacketDiff.Row::field, PacketDiff.Row::expected, PacketDiff.Row::actual)
                .contains(org.assertj.core.groups.Tuple.tuple("IPv4", "dst", "10.0.0.2", "10.0.0.3"),
                        org.assertj.core.groups.Tuple.tuple("TCP", "flags", "SYN", "SYN|ACK"));
        String ipSum = String.format("0x%04x", expected.ipv4().checksum());
        assertThat(diff.rows()).anyMatch(r -> r.field().equals("checksum") && r.layer().equals("IPv4") && r.expected().equals(ipSum));
        assertThat(diff.rows()).anyMatch(r -> r.field().equals("options") && r.expected().startsWith("[MSS=1460]")
                && r.actual().startsWith("[MSS=1400]"));
        assertThat(diff.toString()).startsWith("packets differ in 5 fields (expected vs actual):\n"
                + "  layer    field     expected               actual\n"
                + "  IPv4 #1  checksum  " + ipSum);
        assertThat(diff.toString()).contains("\n  IPv4 #1  dst       10.0.0.2               10.0.0.3\n"
                + "  TCP #2   flags     SYN                    SYN|ACK\n");
        assertThat(diff.toString()).endsWith("\n  TCP #2   options   [MSS=1460] (020405b4)  [MSS=1400] (02040578)");
    }

    @Test
    void payloadsDifferAsHexAroundTheFirstDifferentByte() {
        byte[] a = new byte[40];
        byte[] b = new byte[40];
        b[20] = 0x7f;
        Packet expected = Packets.ethernet().ipv4().udp().checksum(0).payload(a).build();
        Packet actual = Packets.ethernet().ipv4().udp().checksum(0).payload(b).build();
        PacketDiff diff = PacketDiff.of(expected, actual);
        assertThat(diff.rows()).singleElement().satisfies(r -> {
            assertThat(r.layer()).isEqualTo("Payload");
            assertThat(r.field()).isEqualTo("data @20");
            assertThat(r.expected()).isEqualTo("..0000000000000000[00]00000000000000.. (40 bytes)");
            assertThat(r.actual()).isEqualTo("..0000000000000000[7f]00000000000000.. (40 bytes)");
        });
    }

    @Test
    void differentOrMissingLayersAreNamed() {
        Packet expected = Packets.ethernet().vlan(5).ipv4().build();
        Packet actual = Packets.ethernet().ipv4().build();
        PacketDiff diff = PacketDiff.of(expected, actual);
        assertThat(diff.rows()).extracting(PacketDiff.Row::field, PacketDiff.Row::expected, PacketDiff.Row::actual)
                .contains(org.assertj.core.groups.Tuple.tuple("etherType", "802.1Q(0x8100)", "IPv4(0x0800)"),
                        org.assertj.core.groups.Tuple.tuple("layer", "VLAN", "IPv4"),
                        org.assertj.core.groups.Tuple.tuple("layer", "IPv4", "(none)"));
    }
}

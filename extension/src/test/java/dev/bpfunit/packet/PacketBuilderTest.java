package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PacketBuilderTest {

    @Test
    void internetChecksumMatchesRfc1071Example() {
        // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (ones' complement)
        byte[] b = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertThat(Checksums.sum(b, 0, b.length, 0)).isEqualTo(0xddf2);
        assertThat(Checksums.finish(0xddf2)).isEqualTo(0x220d);
    }

    @Test
    void ipv4HeaderChecksumMatchesTheWellKnownExample() {
        // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: the classic example header, checksum 0xb861
        Packet p = Packets.ethernet().ipv4().src("192.168.0.1").dst("192.168.0.199").dontFragment().ttl(64)
                .udp().payload(0x73 - 28).build();
        byte[] ip = java.util.Arrays.copyOfRange(p.bytes(), 14, 34);
        assertThat(HexFormat.of().formatHex(ip)).isEqualTo("450000730000400040 11b861c0a80001c0a800c7".replace(" ", ""));
        assertThat(p.checksumStatus(Ipv4.class)).isEqualTo(ChecksumStatus.GOOD);
    }

    @Test
    void buildsTheIssueExampleByteForByte() {
        Packet p = Packets.ethernet().src("02:00:00:00:00:01").dst("02:00:00:00:00:02")
                .ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(64)
                .udp().srcPort(1234).dstPort(53).payload("hello").build();
        String hex = HexFormat.of().formatHex(p.bytes());
        assertThat(hex).startsWith("020000000002" + "020000000001" + "0800"
                + "4500" + "0021" + "0000" + "0000" + "40" + "11");
        assertThat(hex.substring(2 * 26, 2 * 34)).isEqualTo("0a0000010a000002");
        assertThat(hex.substring(2 * 34, 2 * 40)).isEqualTo("04d20035000d");
        assertThat(hex).endsWith(HexFormat.of().formatHex("hello".getBytes()));
        assertThat(p.protocols()).isEqualTo("Ethernet/IPv4/UDP/Payload");
        assertThat(p.checksumsValid()).isTrue();
        assertThat(p.ipv4().dst()).hasToString("10.0.0.2");
        assertThat(Packet.parse(p.bytes())).isEqualTo(p);
    }

    @Test
    void overridesBuildBrokenPackets() {
        Packet badSum = Packets.ethernet().ipv4().udp().checksum(0xdead).payload(4).build();
        assertThat(badSum.udp().checksum()).isEqualTo(0xdead);
        assertThat(badSum.checksumStatus(Udp.class)).isEqualTo(ChecksumStatus.BAD);
        assertThat(badSum.checksumStatus(Ipv4.class)).isEqualTo(ChecksumStatus.GOOD);
        assertThat(badSum.checksumsValid()).isFalse();

        Packet wrongIhl = Packets.ethernet().ipv4().ihl(4).udp().build();
        Packet parsed = Packet.parse(wrongIhl.bytes());
        assertThat(parsed.ipv4().ihl()).isEqualTo(4);
        assertThat(parsed.layer(Malformed.class).reason()).contains("IHL 4");
        assertThat(parsed.bytes()).isEqualTo(wrongIhl.bytes());

        Packet shortLength = Packet.parse(Packets.ethernet().ipv4().totalLength(20).udp().payload(3).bytes());
        assertThat(shortLength.protocols()).isEqualTo("Ethernet/IPv4/Malformed/Trailer");
        assertThat(shortLength.layer(Trailer.class).data().length()).isEqualTo(11);

        Packet lyingUdp = Packet.parse(Packets.ethernet().ipv4().udp().length(200).payload(3).bytes());
        assertThat(lyingUdp.udp().length()).isEqualTo(200);
        assertThat(lyingUdp.checksumStatus(Udp.class)).isEqualTo(ChecksumStatus.UNVERIFIABLE);

        Packet truncated = Packets.ethernet().ipv4().tcp().payload(10).truncateTo(14 + 20 + 12).build();
        assertThat(truncated.length()).isEqualTo(46);
        assertThat(truncated.layer(Malformed.class).protocol()).isEqualTo("TCP");
        assertThat(truncated.layer(Malformed.class).reason()).isEqualTo("truncated: 12 of 20 header bytes");

        Packet runt = Packets.ethernet().truncateTo(10).build();
        assertThat(runt.protocols()).isEqualTo("Malformed");

        Packet padded = Packets.ethernet().arp().padTo(60).build();
        assertThat(padded.length()).isEqualTo(60);
        assertThat(Packet.parse(padded.bytes())).isEqualTo(padded);
    }

    @Test
    void fillsNextProtocolFieldsForEveryLayerKind() {
        Packet qinq = Packets.ethernet().vlan(100).vlan(200).ipv6().icmpv6().echoRequest(1, 2).build();
        assertThat(qinq.ethernet().etherType()).isEqualTo(EtherType.QINQ);
        assertThat(qinq.all(Vlan.class)).extracting(Vlan::vid, v -> v.etherType().value()).containsExactly(
                org.assertj.core.groups.Tuple.tuple(100, 0x8100), org.assertj.core.groups.Tuple.tuple(200, 0x86dd));
        assertThat(qinq.ipv6().nextHeader()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(qinq.checksumStatus(Icmpv6.class)).isEqualTo(ChecksumStatus.GOOD);

        Packet ext = Packets.ethernet().ipv6().hopByHop().routing().segments("fd00::10", "fd00::11").fragment().identification(7)
                .destinationOptions().tcp().flags("SYN").build();
        assertThat(ext.protocols()).isEqualTo("Ethernet/IPv6/IPv6 hop-by-hop/IPv6 routing/IPv6 fragment/IPv6 destination options/TCP");
        assertThat(ext.ipv6().nextHeader()).isEqualTo(IpProtocol.HOP_BY_HOP);
        assertThat(ext.layer(Ipv6HopByHop.class).nextHeader()).isEqualTo(IpProtocol.ROUTING);
        assertThat(ext.layer(Ipv6Routing.class).headerLength()).isEqualTo(4);
        assertThat(ext.layer(Ipv6Routing.class).segmentsLeft()).isEqualTo(1);
        assertThat(ext.layer(Ipv6Fragment.class).nextHeader()).isEqualTo(IpProtocol.DESTINATION_OPTIONS);
        assertThat(ext.layer(Ipv6DestinationOptions.class).nextHeader()).isEqualTo(IpProtocol.TCP);
        assertThat(ext.ipv6().payloadLength()).isEqualTo(8 + 40 + 8 + 8 + 20);
        assertThat(ext.checksumsValid()).isTrue();
        assertThat(Packet.parse(ext.bytes())).isEqualTo(ext);

        Packet vxlan = Packets.ethernet().ipv4().udp().vxlan().vni(42).ethernet().ipv4().src("192.168.1.1").tcp().build();
        assertThat(vxlan.udp().dstPort()).isEqualTo(4789);
        assertThat(vxlan.vxlan().vni()).isEqualTo(42);
        assertThat(vxlan.innermost(Ipv4.class).src()).hasToString("192.168.1.1");
        assertThat(vxlan.innermost(Ethernet.class).etherType()).isEqualTo(EtherType.IPV4);
        assertThat(Packet.parse(vxlan.bytes())).isEqualTo(vxlan);

        Packet geneve = Packets.ethernet().ipv6().udp().geneve().vni(7).options(new byte[] {1, 2, 3, 4, 5}).ipv4().icmp().build();
        assertThat(geneve.udp().dstPort()).isEqualTo(6081);
        assertThat(geneve.geneve().protocolType()).isEqualTo(EtherType.IPV4);
        assertThat(geneve.geneve().optionsLength()).isEqualTo(2);
        assertThat(Packet.parse(geneve.bytes())).isEqualTo(geneve);

        Packet gre = Packets.ethernet().ipv4().gre().key(5).sequence(9).withChecksum().ethernet().arp().reply()
                .sender("02:00:00:00:00:09", "10.1.1.1").target("02:00:00:00:00:0a", "10.1.1.2").build();
        assertThat(gre.ipv4().protocol()).isEqualTo(IpProtocol.GRE);
        assertThat(gre.gre().protocolType()).isEqualTo(EtherType.TEB);
        assertThat(gre.checksumStatus(Gre.class)).isEqualTo(ChecksumStatus.GOOD);
        assertThat(gre.arp().senderIp()).hasToString("10.1.1.1");
        assertThat(Packet.parse(gre.bytes())).isEqualTo(gre);

        Packet ipip = Packets.ethernet().ipv4().ipv6().udp().build();
        assertThat(ipip.ipv4().protocol()).isEqualTo(IpProtocol.IPV6);
        assertThat(Packet.parse(ipip.bytes())).isEqualTo(ipip);
    }

    @Test
    void tcpOptionsAreEncodedAndDecodedByName() {
        Packet p = Packets.ethernet().ipv4().tcp().flags("SYN|ECE|CWR").mss(1460).sackPermitted().timestamps(100, 0).nop().windowScale(7)
                .build();
        Tcp tcp = p.tcp();
        assertThat(tcp.options().length()).isEqualTo(20);
        assertThat(tcp.dataOffset()).isEqualTo(10);
        assertThat(tcp.optionList()).hasToString("[MSS=1460, SACK_PERM, TS=100,0, NOP, WS=7]");
        assertThat(tcp.flags()).hasToString("SYN|ECE|CWR");
        assertThat(p.checksumStatus(Tcp.class)).isEqualTo(ChecksumStatus.GOOD);
    }

    @Test
    void neighbourDiscoveryCarriesTargetAndOptions() {
        Packet ns = Packets.ethernet().ipv6().dst("ff02::1:ff00:2").hopLimit(255).icmpv6().neighborSolicitation("fd00::2")
                .sourceLinkLayer("02:00:00:00:00:01").build();
        assertThat(ns.icmpv6().type()).isEqualTo(135);
        assertThat(ns.payload().slice(0, 16)).isEqualTo(Bytes.of(Ipv6Address.of("fd00::2").bytes()));
        assertThat(ns.payload().length()).isEqualTo(24);
        assertThat(ns.checksumStatus(Icmpv6.class)).isEqualTo(ChecksumStatus.GOOD);
    }

    @Test
    void badValuesAreClearErrors() {
        assertThatThrownBy(() -> Packets.ethernet().ipv4().ttl(300).build()).isInstanceOf(PacketException.class)
                .hasMessage("IPv4 ttl 300 does not fit in 8 bits (0..255)");
        assertThatThrownBy(() -> Packets.ethernet().src("02:00:00:00:01")).hasMessageContaining("not a MAC address: '02:00:00:00:01'");
        assertThatThrownBy(() -> Packets.ethernet().ipv4().src("10.0.0.256")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Packets.ethernet().ipv6().src("fd00::1::2")).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> Packets.ethernet().ipv6().src("example.com")).hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> Packets.ethernet().ipv4().tcp().flags("SYN|BOGUS")).hasMessageContaining("unknown TCP flag 'BOGUS'");
        assertThatThrownBy(() -> Packets.ethernet().src((String) null)).hasMessage("A MAC address must not be null");
        assertThatThrownBy(() -> Packets.ethernet().payload((byte[]) null)).hasMessage("bytes must not be null");
        assertThatThrownBy(() -> new TcpOption(2, Bytes.of(new byte[300]))).hasMessageContaining("at most 253 fit");
        assertThatThrownBy(() -> Packet.parse(new byte[20]).ipv4()).hasMessage("packet has no Ipv4 layer; layers: Ethernet/Payload");
    }

    @Test
    void addressesPrintNaturally() {
        assertThat(Ipv6Address.of("2001:db8:0:0:1:0:0:1")).hasToString("2001:db8::1:0:0:1");
        assertThat(Ipv6Address.of("::")).hasToString("::");
        assertThat(Ipv6Address.of("fd00::")).hasToString("fd00::");
        assertThat(Ipv6Address.of("::ffff:10.0.0.1").low()).isEqualTo(0x0000_ffff_0a00_0001L);
        assertThat(Ipv6Address.of("fd00:0:0:1::1")).hasToString("fd00:0:0:1::1");
        assertThat(MacAddress.of("02-AB-00-00-00-01")).hasToString("02:ab:00:00:00:01");
        assertThat(Ipv4Address.of("255.0.10.1")).hasToString("255.0.10.1");
        assertThat(Ipv4Address.of("192.0.2.1").toInetAddress().getHostAddress()).isEqualTo("192.0.2.1");
    }
}

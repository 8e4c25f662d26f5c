package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketParserTest {

    @Test
    void generatedPacketsRoundTrip() {
        List<Packet> packets = PacketGenerators.valid(1).limit(2000).toList();
        assertThat(packets).extracting(Packet::protocols).contains("Ethernet/IPv4/UDP/Payload", "Ethernet/IPv6/TCP/Payload",
                "Ethernet/VLAN/IPv6/ICMPv6/Payload");
        assertThat(packets).anyMatch(p -> p.has(Vxlan.class)).anyMatch(p -> p.has(Gre.class))
                .anyMatch(p -> p.all(Ipv6.class).size() + p.all(Ipv4.class).size() == 2 && !p.has(Gre.class) && !p.has(Vxlan.class))
                .anyMatch(p -> p.has(Ipv6HopByHop.class)).anyMatch(p -> p.find(Tcp.class).map(t -> !t.options().isEmpty()).orElse(false));
        for (Packet p : packets) {
            assertThat(Packet.parse(p.bytes())).as("%s", p).isEqualTo(p);
            assertThat(p.checksumsValid()).as("%s", p).isTrue();
        }
    }

    @Test
    void parsingIsLosslessAndNeverThrowsOnMalformedPackets() {
        List<Packet> broken = PacketGenerators.malformed(2).limit(3000).toList();
        assertThat(broken).anyMatch(p -> p.has(Malformed.class)).anyMatch(p -> p.has(Trailer.class))
                .anyMatch(p -> !p.checksumsValid());
        for (Packet p : broken) {
            byte[] b = p.bytes();
            assertThat(Packet.parse(b).bytes()).isEqualTo(b);
        }
    }

    @Test
    void randomAndMutatedBytesParseWithoutExceptions() {
        Random r = new Random(3);
        List<Packet> valid = PacketGenerators.valid(3).limit(200).toList();
        for (int i = 0; i < 10000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[r.nextInt(120)];
                r.nextBytes(b);
                if (b.length > 13 && r.nextBoolean()) {
                    b[12] = (byte) (r.nextBoolean() ? 0x08 : 0x86);
                    b[13] = (byte) (b[12] == 0x08 ? 0x00 : 0xdd);
                }
            } else {
                b = valid.get(r.nextInt(valid.size())).bytes();
                for (int k = 0; k < 1 + r.nextInt(4); k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            byte[] input = b;
            assertThatCode(() -> {
                Packet p = Packet.parse(input);
                assertThat(p.bytes()).isEqualTo(input);
                for (int k = 0; k < p.layers().size(); k++) {
                    p.checksumStatus(k);
                }
                p.summary();
                p.toString();
            }).as(Bytes.of(input).hex()).doesNotThrowAnyException();
        }
    }

    @Test
    void truncatedAndLyingHeadersParseAsFarAsTheyCan() {
        byte[] frame = Packets.ethernet().ipv4().src("10.9.9.9").udp().dstPort(53).payload(20).bytes();

        Packet runt = Packet.parse(java.util.Arrays.copyOf(frame, 9));
        assertThat(runt.layers()).containsExactly(new Malformed("Ethernet", Bytes.of(frame, 0, 9), "truncated: 9 of 14 header bytes"));

        Packet halfIp = Packet.parse(java.util.Arrays.copyOf(frame, 14 + 16));
        assertThat(halfIp.protocols()).isEqualTo("Ethernet/Malformed");
        assertThat(halfIp.layer(Malformed.class).protocol()).isEqualTo("IPv4");

        byte[] longIhl = frame.clone();
        longIhl[14] = 0x4f;
        Packet p = Packet.parse(java.util.Arrays.copyOf(longIhl, 14 + 40));
        assertThat(p.ipv4().src()).hasToString("10.9.9.9");
        assertThat(p.layer(Malformed.class).reason()).isEqualTo("truncated: IHL 15 says 60 header bytes, 40 present");
        assertThat(p.checksumStatus(Ipv4.class)).isEqualTo(ChecksumStatus.UNVERIFIABLE);

        byte[] lyingTotal = frame.clone();
        lyingTotal[16] = 0x05; // total length 0x05xx, longer than the frame
        Packet q = Packet.parse(lyingTotal);
        assertThat(q.udp().dstPort()).isEqualTo(53);
        assertThat(q.checksumStatus(Ipv4.class)).isEqualTo(ChecksumStatus.BAD);
        assertThat(q.checksumStatus(Udp.class)).isEqualTo(ChecksumStatus.GOOD);

        Packet tcpShort = Packet.parse(Packets.ethernet().ipv4().tcp().dataOffset(3).payload(4).bytes());
        assertThat(tcpShort.layer(Malformed.class).reason()).isEqualTo("data offset 3 is less than 5 (20 bytes)");
        assertThat(tcpShort.tcp().dataOffset()).isEqualTo(3);
    }

    @Test
    void parsesIpPacketsWithoutLinkHeader() {
        Packet v4 = Packets.ethernet().ipv4().udp().srcPort(7).payload(2).build();
        byte[] ip4 = java.util.Arrays.copyOfRange(v4.bytes(), 14, v4.length());
        assertThat(Packet.parseIp(ip4).layers()).isEqualTo(v4.layers().subList(1, 4));
        Packet v6 = Packets.ethernet().ipv6().tcp().build();
        byte[] ip6 = java.util.Arrays.copyOfRange(v6.bytes(), 14, v6.length());
        assertThat(Packet.parseIp(ip6).protocols()).isEqualTo("IPv6/TCP");
        assertThat(Packet.parseIp(new byte[3]).protocols()).isEqualTo("Malformed");
        Packet bare = Packets.ipv6().udp().dstPort(9).payload(1).build();
        assertThat(Packet.parseIp(bare.bytes())).isEqualTo(bare);
        assertThat(bare.checksumsValid()).isTrue();
    }

    @Test
    void nonFirstFragmentsAreNotDecodedAsTransport() {
        Packet frag = Packet.parse(Packets.ethernet().ipv4().fragmentOffset(100).udp().payload(4).bytes());
        assertThat(frag.protocols()).isEqualTo("Ethernet/IPv4/Payload");
        Packet frag6 = Packet.parse(Packets.ethernet().ipv6().fragment().offset(8).udp().payload(4).bytes());
        assertThat(frag6.protocols()).isEqualTo("Ethernet/IPv6/IPv6 fragment/Payload");
    }

    @Test
    void udpWithoutChecksumIsAbsentOverIpv4AndBadOverIpv6() {
        Packet v4 = Packets.ethernet().ipv4().udp().noChecksum().build();
        assertThat(v4.checksumStatus(Udp.class)).isEqualTo(ChecksumStatus.ABSENT);
        assertThat(v4.checksumsValid()).isTrue();
        Packet v6 = Packets.ethernet().ipv6().udp().noChecksum().build();
        assertThat(v6.checksumStatus(Udp.class)).isEqualTo(ChecksumStatus.BAD);
    }
}

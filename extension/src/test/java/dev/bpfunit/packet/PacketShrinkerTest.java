package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.io.TempDir;

class PacketShrinkerTest {

    @Test
    void shrinksToTheSmallestPacketThatStillFails() {
        // "fails" for any UDP packet to port 53 with at least 10 payload bytes
        Predicate<Packet> fails = p -> p.find(Udp.class).map(u -> u.dstPort() == 53).orElse(false) && p.payload().length() >= 10;
        Packet big = Packets.ethernet().vlan(12).vlan(13).ipv4().src("10.1.2.3").dst("10.3.2.1").ttl(9).options(new byte[] {1, 1, 1, 0})
                .udp().srcPort(9999).dstPort(53).payload(200).build();
        Packet small = PacketShrinker.shrink(big, fails);
        assertThat(fails).accepts(small);
        assertThat(small.protocols()).isEqualTo("Ethernet/IPv4/UDP/Payload");
        assertThat(small.payload()).isEqualTo(Bytes.of(new byte[10]));
        assertThat(small.udp().srcPort()).isZero();
        assertThat(small.ipv4().src()).hasToString("0.0.0.0");
        assertThat(small.ipv4().options().isEmpty()).isTrue();
        assertThat(small.ipv4().totalLength()).isEqualTo(20 + 8 + 10);
        assertThat(small.checksumsValid()).as("lengths and checksums are refitted").isTrue();
    }

    @Test
    void keepsAWrongChecksumWrongWhileShrinking() {
        Predicate<Packet> fails = p -> p.has(Tcp.class) && p.checksumStatus(Tcp.class) == ChecksumStatus.BAD;
        Packet bad = Packets.ethernet().vlan(3).ipv6().hopByHop().tcp().srcPort(5).dstPort(6).mss(1000).checksum(0x1111).payload(50).build();
        Packet small = PacketShrinker.shrink(bad, fails);
        assertThat(small.protocols()).isEqualTo("Ethernet/IPv6/TCP");
        assertThat(small.checksumStatus(Tcp.class)).isEqualTo(ChecksumStatus.BAD);
        assertThat(small.ipv6().payloadLength()).isEqualTo(20);
        assertThat(small.tcp().options().isEmpty()).isTrue();
    }

    @Test
    void returnsThePacketItselfWhenNothingSmallerFails() {
        Packet p = Packets.ethernet().build();
        assertThat(PacketShrinker.shrink(p, q -> q.equals(p))).isSameAs(p);
    }

    @Test
    @ResourceLock(Resources.SYSTEM_PROPERTIES)   // sets where PcapDumps writes, for the JVM
    void propertyFailureReportsTheShrunkCounterexampleAndSavesIt(@TempDir Path dir) {
        System.setProperty(PcapDumps.DIRECTORY_PROPERTY, dir.toString());
        try {
            assertThatThrownBy(() -> PacketProperties.forAll(PacketGenerators.ipv4Udp(5, 53).limit(100), p -> p.payload().length() < 30))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("property does not hold for packet #")
                    .hasMessageContaining("shrunk counterexample: Ethernet 00:00:00:00:00:00 > 00:00:00:00:00:00 / IPv4 0.0.0.0 > 0.0.0.0"
                            + " / UDP 0 > 0 / 30 bytes (72 bytes)")
                    .hasMessageContaining("saved (original, then shrunk) to " + dir);
            assertThat(dir.toFile().list()).singleElement().satisfies(n -> assertThat(n).startsWith("property-counterexample-"));
        } finally {
            System.clearProperty(PcapDumps.DIRECTORY_PROPERTY);
        }
        PacketProperties.forAll(PacketGenerators.ipv4Udp(5, 53).limit(100), p -> p.udp().dstPort() == 53);
    }

    @Test
    void malformedGeneratorCoversEveryKindOfDamage() {
        List<Packet> broken = PacketGenerators.malformed(11).limit(2000).toList();
        assertThat(broken).anyMatch(p -> p.layers().stream().anyMatch(l -> l instanceof Malformed m && m.reason().startsWith("IHL")))
                .anyMatch(p -> p.layers().stream().anyMatch(l -> l instanceof Malformed m && m.reason().startsWith("truncated")))
                .anyMatch(p -> p.length() < 14)
                .anyMatch(p -> p.has(Trailer.class))
                .anyMatch(p -> p.find(Ipv4.class).map(ip -> ip.version() != 4).orElse(false))
                .anyMatch(p -> java.util.stream.IntStream.range(0, p.layers().size()).anyMatch(i -> p.checksumStatus(i) == ChecksumStatus.BAD));
        assertThat(PacketGenerators.valid(9).limit(50).toList()).isEqualTo(PacketGenerators.valid(9).limit(50).toList());
    }
}

package dev.bpfunit.jqwik;

import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Ipv6Address;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketBuilder;
import dev.bpfunit.packet.PacketGenerators;
import dev.bpfunit.packet.Packets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik {@link Arbitrary}s of packets for property-based tests of network programs: well-formed Ethernet frames
 * and frames broken the ways {@link PacketGenerators#malformed(long)} breaks them. Every part is drawn from a jqwik
 * arbitrary (addresses, ports, TTL, flags, payload, the damage), so a failing property shrinks to a small
 * counterexample: port 0, an empty payload, address 0.0.0.0, the simplest damage. Without jqwik, use
 * {@link PacketGenerators} and {@code PacketProperties.forAll}.
 *
 * <pre>{@code
 * @Property
 * void neverAborts(@ForAll("frames") Packet frame) { ... }
 *
 * @Provide
 * Arbitrary<Packet> frames() { return PacketArbitraries.valid(); }
 * }</pre>
 */
public final class PacketArbitraries {

    private PacketArbitraries() {
    }

    /** Transport protocols a valid frame carries. */
    public enum Transport { UDP, TCP }

    /** Well-formed IPv4 or IPv6 frames carrying UDP or TCP, with lengths and checksums right. */
    public static Arbitrary<Packet> valid() {
        return Arbitraries.oneOf(ipv4(), ipv6());
    }

    /** Well-formed IPv4 frames carrying UDP or TCP. */
    public static Arbitrary<Packet> ipv4() {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers().between(1, 255),
                transport(), Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 65535),
                payload()).as((src, dst, ttl, transport, srcPort, dstPort, payload) ->
                l4(Packets.ethernet().ipv4().src(new Ipv4Address(src)).dst(new Ipv4Address(dst)).ttl(ttl), transport,
                        srcPort, dstPort, payload));
    }

    /** Well-formed IPv6 frames carrying UDP or TCP. */
    public static Arbitrary<Packet> ipv6() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(1, 255),
                transport(), Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 65535),
                payload()).as((src, dst, hops, transport, srcPort, dstPort, payload) ->
                l4(Packets.ethernet().ipv6().src(new Ipv6Address(0xfd00_0000_0000_0000L, src))
                        .dst(new Ipv6Address(0x2001_0db8_0000_0000L, dst)).hopLimit(hops), transport, srcPort, dstPort,
                        payload));
    }

    /** Well-formed IPv4/UDP frames to {@code dstPort}. */
    public static Arbitrary<Packet> ipv4Udp(int dstPort) {
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers(),
                Arbitraries.integers().between(0, 65535), payload()).as((src, dst, srcPort, payload) ->
                Packets.ethernet().ipv4().src(new Ipv4Address(src)).dst(new Ipv4Address(dst)).udp().srcPort(srcPort)
                        .dstPort(dstPort).payload(payload).build());
    }

    /**
     * Broken frames a robust program must survive: a wrong checksum, a header cut short, a runt frame, a header or
     * total length that lies, a UDP length that lies, a wrong IP version. Shrinks the frame and the damage.
     */
    public static Arbitrary<Packet> malformed() {
        return malformed(valid());
    }

    /** {@code frames} broken as {@link #malformed()} breaks them. */
    public static Arbitrary<Packet> malformed(Arbitrary<Packet> frames) {
        return Combinators.combine(frames, Arbitraries.longs().between(0, 1 << 20))
                .as(PacketGenerators::damage);
    }

    private static Arbitrary<Transport> transport() {
        return Arbitraries.of(Transport.class);
    }

    private static Arbitrary<byte[]> payload() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
    }

    private static Packet l4(PacketBuilder ip, Transport transport, int srcPort, int dstPort, byte[] payload) {
        return switch (transport) {
            case UDP -> ip.udp().srcPort(srcPort).dstPort(dstPort).payload(payload).build();
            case TCP -> ip.tcp().srcPort(srcPort).dstPort(dstPort).flags("SYN").payload(payload).build();
        };
    }
}

package dev.bpfunit.packet;

/**
 * The entry point for building packets in one readable expression.
 *
 * <pre>{@code
 * Packet p = Packets.ethernet().src("02:00:00:00:00:01").dst("02:00:00:00:00:02")
 *         .ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(64)
 *         .udp().srcPort(1234).dstPort(53)
 *         .payload(query)
 *         .build();
 * }</pre>
 *
 * <p>EtherTypes, protocol numbers, lengths and checksums are filled in unless set explicitly, so
 * {@code .udp().checksum(0xdead)} or {@code .ipv4().ihl(4)} builds exactly the broken packet a test needs.
 */
public final class Packets {
    private Packets() {
    }

    /** Starts a frame with an Ethernet header (source 02:00:00:00:00:01, destination 02:00:00:00:00:02 unless set). */
    public static PacketBuilder.EthernetBuilder ethernet() {
        return new PacketBuilder.Draft().push(new PacketBuilder.EthernetBuilder());
    }

    /** Starts an IPv4 packet without link-layer header (parse it back with {@link Packet#parseIp(byte[])}). */
    public static PacketBuilder.Ipv4Builder ipv4() {
        return new PacketBuilder.Draft().push(new PacketBuilder.Ipv4Builder());
    }

    /** Starts an IPv6 packet without link-layer header (parse it back with {@link Packet#parseIp(byte[])}). */
    public static PacketBuilder.Ipv6Builder ipv6() {
        return new PacketBuilder.Draft().push(new PacketBuilder.Ipv6Builder());
    }
}

package dev.bpfunit.packet;

/**
 * One protocol header (or payload) of a {@link Packet}, holding exactly what is on the wire.
 *
 * <p>Every field, including lengths and checksums, holds the value that is encoded, so a layer can
 * describe a broken header as faithfully as a good one. {@link #encode()} writes the header alone;
 * what follows it is the next layer of the packet.
 */
public sealed interface Layer permits Ethernet, Vlan, Arp, Ipv4, Ipv6, Ipv6ExtensionHeader, Tcp, Udp, Icmp, Icmpv6,
        Vxlan, Geneve, Gre, Payload, Trailer, Malformed {

    /** The protocol's usual short name, as Wireshark shows it: {@code IPv4}, {@code UDP}. */
    String name();

    /** The wire bytes of this layer alone. */
    byte[] encode();
}

package dev.bpfunit.packet;

/**
 * An EtherType (or GRE/GENEVE protocol type), printed with its name where known: {@code IPv4(0x0800)}.
 *
 * @param value the 16-bit type
 */
public record EtherType(int value) {
    public static final EtherType IPV4 = new EtherType(0x0800);
    public static final EtherType ARP = new EtherType(0x0806);
    public static final EtherType VLAN = new EtherType(0x8100);
    public static final EtherType QINQ = new EtherType(0x88a8);
    public static final EtherType IPV6 = new EtherType(0x86dd);
    /** Transparent Ethernet bridging: an Ethernet frame follows (GRE, GENEVE). */
    public static final EtherType TEB = new EtherType(0x6558);
    /** IEEE 802 local experimental EtherType 1, used when a raw payload follows. */
    public static final EtherType EXPERIMENTAL = new EtherType(0x88b5);

    public EtherType {
        if (value < 0 || value > 0xffff) {
            throw new PacketException("EtherType " + value + " is not a 16-bit value");
        }
    }

    public static EtherType of(int value) {
        return new EtherType(value);
    }

    /** The protocol name, or {@code null} when unknown. */
    public String protocolName() {
        return switch (value) {
            case 0x0800 -> "IPv4";
            case 0x0806 -> "ARP";
            case 0x8100 -> "802.1Q";
            case 0x88a8 -> "802.1ad";
            case 0x9100 -> "QinQ";
            case 0x86dd -> "IPv6";
            case 0x6558 -> "TEB";
            case 0x88b5 -> "experimental";
            default -> null;
        };
    }

    @Override
    public String toString() {
        String name = protocolName();
        String hex = String.format("0x%04x", value);
        return name == null ? hex : name + "(" + hex + ")";
    }
}

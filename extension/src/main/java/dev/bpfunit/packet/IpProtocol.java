package dev.bpfunit.packet;

/**
 * An IP protocol number (IPv4 protocol, IPv6 next header), printed with its name where known: {@code UDP(17)}.
 *
 * @param value the 8-bit protocol number
 */
public record IpProtocol(int value) {
    public static final IpProtocol HOP_BY_HOP = new IpProtocol(0);
    public static final IpProtocol ICMP = new IpProtocol(1);
    public static final IpProtocol IPIP = new IpProtocol(4);
    public static final IpProtocol TCP = new IpProtocol(6);
    public static final IpProtocol UDP = new IpProtocol(17);
    public static final IpProtocol IPV6 = new IpProtocol(41);
    public static final IpProtocol ROUTING = new IpProtocol(43);
    public static final IpProtocol FRAGMENT = new IpProtocol(44);
    public static final IpProtocol GRE = new IpProtocol(47);
    public static final IpProtocol ICMPV6 = new IpProtocol(58);
    public static final IpProtocol NO_NEXT_HEADER = new IpProtocol(59);
    public static final IpProtocol DESTINATION_OPTIONS = new IpProtocol(60);
    /** RFC 3692 experimentation number, used when a raw payload follows. */
    public static final IpProtocol EXPERIMENTAL = new IpProtocol(253);

    public IpProtocol {
        if (value < 0 || value > 0xff) {
            throw new PacketException("IP protocol " + value + " is not an 8-bit value");
        }
    }

    public static IpProtocol of(int value) {
        return new IpProtocol(value);
    }

    /** The protocol name, or {@code null} when unknown. */
    public String protocolName() {
        return switch (value) {
            case 0 -> "HOPOPT";
            case 1 -> "ICMP";
            case 4 -> "IPIP";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 41 -> "IPv6";
            case 43 -> "IPv6-Route";
            case 44 -> "IPv6-Frag";
            case 47 -> "GRE";
            case 58 -> "ICMPv6";
            case 59 -> "IPv6-NoNxt";
            case 60 -> "IPv6-Opts";
            case 253 -> "experimental";
            default -> null;
        };
    }

    @Override
    public String toString() {
        String name = protocolName();
        return name == null ? Integer.toString(value) : name + "(" + value + ")";
    }
}

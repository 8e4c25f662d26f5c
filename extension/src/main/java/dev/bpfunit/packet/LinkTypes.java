package dev.bpfunit.packet;

/** Names of the common pcap link types, for error messages. */
final class LinkTypes {
    static final int ETHERNET = 1;

    private LinkTypes() {
    }

    static String describe(int linkType) {
        String name = switch (linkType) {
            case 0 -> "NULL (BSD loopback)";
            case 1 -> "ETHERNET";
            case 101 -> "RAW (IP without link header)";
            case 105 -> "IEEE802_11";
            case 113 -> "LINUX_SLL (Linux cooked capture, tcpdump -i any)";
            case 127 -> "IEEE802_11_RADIOTAP";
            case 228 -> "IPV4";
            case 229 -> "IPV6";
            case 276 -> "LINUX_SLL2 (Linux cooked capture v2, tcpdump -i any)";
            default -> "unknown";
        };
        return linkType + " " + name;
    }

    static PacketException unsupported(String source, String where, int linkType) {
        return new PacketException(source + ": " + where + " has link type " + describe(linkType)
                + "; bpfunit replays Ethernet (link type 1) captures only: capture on an Ethernet interface"
                + " (tcpdump -i eth0 -w file.pcap), not on 'any' or a tunnel device");
    }
}

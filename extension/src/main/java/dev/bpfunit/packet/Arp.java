package dev.bpfunit.packet;

/**
 * An ARP message for Ethernet and IPv4 (28 bytes); {@link #operation()} is 1 for a request, 2 for a reply.
 */
public record Arp(int hardwareType, EtherType protocolType, int hardwareLength, int protocolLength, int operation,
        MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp) implements Layer {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    public Arp {
        Wire.check("ARP", "hardwareType", hardwareType, 16);
        Wire.check("ARP", "hardwareLength", hardwareLength, 8);
        Wire.check("ARP", "protocolLength", protocolLength, 8);
        Wire.check("ARP", "operation", operation, 16);
        Wire.notNull("ARP", "protocolType", protocolType);
        Wire.notNull("ARP", "senderMac", senderMac);
        Wire.notNull("ARP", "senderIp", senderIp);
        Wire.notNull("ARP", "targetMac", targetMac);
        Wire.notNull("ARP", "targetIp", targetIp);
    }

    @Override
    public String name() {
        return "ARP";
    }

    @Override
    public byte[] encode() {
        return new Wire().u16(hardwareType).u16(protocolType.value()).u8(hardwareLength).u8(protocolLength).u16(operation)
                .bytes(senderMac.bytes()).bytes(senderIp.bytes()).bytes(targetMac.bytes()).bytes(targetIp.bytes()).toArray();
    }
}

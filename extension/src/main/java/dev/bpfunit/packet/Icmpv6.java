package dev.bpfunit.packet;

/**
 * An ICMPv6 header (8 bytes: type, code, checksum and the 4-byte rest of header); the message body is the next layer.
 *
 * @param type the message type, for example 128 for an echo request, 129 for a reply, 133..137 for neighbour discovery
 * @param identifier the first half of the rest of header: the echo identifier (other types: as encoded)
 * @param sequence the second half of the rest of header: the echo sequence number (other types: as encoded)
 */
public record Icmpv6(int type, int code, int checksum, int identifier, int sequence) implements Layer {
    public static final int LENGTH = 8;

    public Icmpv6 {
        Wire.check("ICMPv6", "type", type, 8);
        Wire.check("ICMPv6", "code", code, 8);
        Wire.check("ICMPv6", "checksum", checksum, 16);
        Wire.check("ICMPv6", "identifier", identifier, 16);
        Wire.check("ICMPv6", "sequence", sequence, 16);
    }

    @Override
    public String name() {
        return "ICMPv6";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(type).u8(code).u16(checksum).u16(identifier).u16(sequence).toArray();
    }
}

package dev.bpfunit.packet;

/**
 * An ICMP header (8 bytes: type, code, checksum and the 4-byte rest of header); the message body is the next layer.
 *
 * @param type the message type, for example 8 for an echo request, 0 for a reply
 * @param identifier the first half of the rest of header: the echo identifier (other types: as encoded)
 * @param sequence the second half of the rest of header: the echo sequence number (other types: as encoded)
 */
public record Icmp(int type, int code, int checksum, int identifier, int sequence) implements Layer {
    public static final int LENGTH = 8;

    public Icmp {
        Wire.check("ICMP", "type", type, 8);
        Wire.check("ICMP", "code", code, 8);
        Wire.check("ICMP", "checksum", checksum, 16);
        Wire.check("ICMP", "identifier", identifier, 16);
        Wire.check("ICMP", "sequence", sequence, 16);
    }

    @Override
    public String name() {
        return "ICMP";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(type).u8(code).u16(checksum).u16(identifier).u16(sequence).toArray();
    }
}

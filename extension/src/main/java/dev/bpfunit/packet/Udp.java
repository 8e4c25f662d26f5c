package dev.bpfunit.packet;

/**
 * A UDP header (8 bytes); {@link #length()} and {@link #checksum()} hold what is encoded, true or not.
 */
public record Udp(int srcPort, int dstPort, int length, int checksum) implements Layer {
    public static final int LENGTH = 8;

    public Udp {
        Wire.check("UDP", "srcPort", srcPort, 16);
        Wire.check("UDP", "dstPort", dstPort, 16);
        Wire.check("UDP", "length", length, 16);
        Wire.check("UDP", "checksum", checksum, 16);
    }

    @Override
    public String name() {
        return "UDP";
    }

    @Override
    public byte[] encode() {
        return new Wire().u16(srcPort).u16(dstPort).u16(length).u16(checksum).toArray();
    }
}

package dev.bpfunit.packet;

/**
 * A VXLAN header (RFC 7348, 8 bytes); an Ethernet frame follows.
 *
 * @param flags the flag octet, 0x08 when the VNI is valid
 * @param vni the 24-bit VXLAN network identifier
 */
public record Vxlan(int flags, int reserved1, int vni, int reserved2) implements Layer {
    public static final int LENGTH = 8;
    public static final int PORT = 4789;

    public Vxlan {
        Wire.check("VXLAN", "flags", flags, 8);
        Wire.check("VXLAN", "reserved1", reserved1, 24);
        Wire.check("VXLAN", "vni", vni, 24);
        Wire.check("VXLAN", "reserved2", reserved2, 8);
    }

    @Override
    public String name() {
        return "VXLAN";
    }

    @Override
    public byte[] encode() {
        return new Wire().u32((long) flags << 24 | reserved1).u32((long) vni << 8 | reserved2).toArray();
    }
}

package dev.bpfunit.packet;

/**
 * An Ethernet II header: destination, source and EtherType (14 bytes, no FCS).
 */
public record Ethernet(MacAddress dst, MacAddress src, EtherType etherType) implements Layer {
    public static final int LENGTH = 14;

    public Ethernet {
        Wire.notNull("Ethernet", "dst", dst);
        Wire.notNull("Ethernet", "src", src);
        Wire.notNull("Ethernet", "etherType", etherType);
    }

    @Override
    public String name() {
        return "Ethernet";
    }

    @Override
    public byte[] encode() {
        return new Wire().bytes(dst.bytes()).bytes(src.bytes()).u16(etherType.value()).toArray();
    }
}

package dev.bpfunit.packet;

/**
 * An 802.1Q or 802.1ad VLAN tag; the TPID that announces it is the previous layer's EtherType.
 *
 * @param pcp priority code point (3 bits)
 * @param dei drop eligible indicator
 * @param vid VLAN id (12 bits)
 * @param etherType the type of what follows the tag
 */
public record Vlan(int pcp, boolean dei, int vid, EtherType etherType) implements Layer {
    public static final int LENGTH = 4;

    public Vlan {
        Wire.check("VLAN", "pcp", pcp, 3);
        Wire.check("VLAN", "vid", vid, 12);
        Wire.notNull("VLAN", "etherType", etherType);
    }

    @Override
    public String name() {
        return "VLAN";
    }

    @Override
    public byte[] encode() {
        return new Wire().u16(pcp << 13 | (dei ? 1 << 12 : 0) | vid).u16(etherType.value()).toArray();
    }
}

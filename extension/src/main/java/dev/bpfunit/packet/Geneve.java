package dev.bpfunit.packet;

/**
 * A GENEVE header (RFC 8926) with its raw options; the payload's type is {@link #protocol()}.
 *
 * @param optionsLength the Opt Len field, in 4-byte units
 * @param protocolType the type of the inner packet, {@link EtherType#TEB} for an Ethernet frame
 * @param options the raw option bytes ({@code 4 * optionsLength} when well formed)
 */
public record Geneve(int version, int optionsLength, boolean oam, boolean critical, int reserved, EtherType protocolType,
        int vni, int reserved2, Bytes options) implements Layer {
    public static final int MIN_LENGTH = 8;
    public static final int PORT = 6081;

    public Geneve {
        Wire.check("GENEVE", "version", version, 2);
        Wire.check("GENEVE", "optionsLength", optionsLength, 6);
        Wire.check("GENEVE", "reserved", reserved, 6);
        Wire.notNull("GENEVE", "protocolType", protocolType);
        Wire.check("GENEVE", "vni", vni, 24);
        Wire.check("GENEVE", "reserved2", reserved2, 8);
        Wire.notNull("GENEVE", "options", options);
    }

    @Override
    public String name() {
        return "GENEVE";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(version << 6 | optionsLength).u8((oam ? 0x80 : 0) | (critical ? 0x40 : 0) | reserved)
                .u16(protocolType.value()).u32((long) vni << 8 | reserved2).bytes(options).toArray();
    }
}

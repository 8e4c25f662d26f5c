package dev.bpfunit.packet;

/**
 * An IPv6 fragment extension header (8 bytes).
 *
 * @param fragmentOffset the offset in 8-byte units, as on the wire
 */
public record Ipv6Fragment(IpProtocol nextHeader, int reserved, int fragmentOffset, int reserved2, boolean moreFragments,
        long identification) implements Ipv6ExtensionHeader {
    public static final int LENGTH = 8;

    public Ipv6Fragment {
        Wire.notNull("IPv6 fragment", "nextHeader", nextHeader);
        Wire.check("IPv6 fragment", "reserved", reserved, 8);
        Wire.check("IPv6 fragment", "fragmentOffset", fragmentOffset, 13);
        Wire.check("IPv6 fragment", "reserved2", reserved2, 2);
        Wire.check("IPv6 fragment", "identification", identification, 32);
    }

    @Override
    public String name() {
        return "IPv6 fragment";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(nextHeader.value()).u8(reserved).u16(fragmentOffset << 3 | reserved2 << 1 | (moreFragments ? 1 : 0))
                .u32(identification).toArray();
    }
}

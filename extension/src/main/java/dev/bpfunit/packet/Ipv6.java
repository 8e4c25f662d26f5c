package dev.bpfunit.packet;

/**
 * An IPv6 fixed header (40 bytes); extension headers are the following {@link Ipv6ExtensionHeader} layers.
 *
 * @param dscp the upper six bits of the traffic class
 * @param ecn the lower two bits of the traffic class
 */
public record Ipv6(int version, int dscp, int ecn, int flowLabel, int payloadLength, IpProtocol nextHeader, int hopLimit,
        Ipv6Address src, Ipv6Address dst) implements Layer {
    public static final int LENGTH = 40;

    public Ipv6 {
        Wire.check("IPv6", "version", version, 4);
        Wire.check("IPv6", "dscp", dscp, 6);
        Wire.check("IPv6", "ecn", ecn, 2);
        Wire.check("IPv6", "flowLabel", flowLabel, 20);
        Wire.check("IPv6", "payloadLength", payloadLength, 16);
        Wire.check("IPv6", "hopLimit", hopLimit, 8);
        Wire.notNull("IPv6", "nextHeader", nextHeader);
        Wire.notNull("IPv6", "src", src);
        Wire.notNull("IPv6", "dst", dst);
    }

    @Override
    public String name() {
        return "IPv6";
    }

    @Override
    public byte[] encode() {
        return new Wire().u32((long) version << 28 | (long) dscp << 22 | (long) ecn << 20 | flowLabel).u16(payloadLength)
                .u8(nextHeader.value()).u8(hopLimit).bytes(src.bytes()).bytes(dst.bytes()).toArray();
    }
}

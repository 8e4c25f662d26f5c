package dev.bpfunit.packet;

/**
 * An IPv6 routing extension header (any routing type, including segment routing type 4).
 *
 * @param headerLength the Hdr Ext Len field: the header's length in 8-byte units, not counting the first 8
 * @param data the type-specific data after the segments-left field ({@code 4 + 8 * headerLength} bytes when well formed)
 */
public record Ipv6Routing(IpProtocol nextHeader, int headerLength, int routingType, int segmentsLeft, Bytes data)
        implements Ipv6ExtensionHeader {

    public Ipv6Routing {
        Wire.notNull("IPv6 routing", "nextHeader", nextHeader);
        Wire.check("IPv6 routing", "headerLength", headerLength, 8);
        Wire.check("IPv6 routing", "routingType", routingType, 8);
        Wire.check("IPv6 routing", "segmentsLeft", segmentsLeft, 8);
        Wire.notNull("IPv6 routing", "data", data);
    }

    @Override
    public String name() {
        return "IPv6 routing";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(nextHeader.value()).u8(headerLength).u8(routingType).u8(segmentsLeft).bytes(data).toArray();
    }
}

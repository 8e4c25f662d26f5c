package dev.bpfunit.packet;

/**
 * An IPv6 hop-by-hop options extension header.
 *
 * @param headerLength the Hdr Ext Len field: the header's length in 8-byte units, not counting the first 8
 * @param options the raw options (TLVs with their padding): {@code 6 + 8 * headerLength} bytes when well formed
 */
public record Ipv6HopByHop(IpProtocol nextHeader, int headerLength, Bytes options) implements Ipv6ExtensionHeader {

    public Ipv6HopByHop {
        Wire.notNull("IPv6 hop-by-hop", "nextHeader", nextHeader);
        Wire.check("IPv6 hop-by-hop", "headerLength", headerLength, 8);
        Wire.notNull("IPv6 hop-by-hop", "options", options);
    }

    @Override
    public String name() {
        return "IPv6 hop-by-hop";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(nextHeader.value()).u8(headerLength).bytes(options).toArray();
    }
}

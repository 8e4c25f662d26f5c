package dev.bpfunit.packet;

/**
 * An IPv6 destination options extension header.
 *
 * @param headerLength the Hdr Ext Len field: the header's length in 8-byte units, not counting the first 8
 * @param options the raw options (TLVs with their padding): {@code 6 + 8 * headerLength} bytes when well formed
 */
public record Ipv6DestinationOptions(IpProtocol nextHeader, int headerLength, Bytes options) implements Ipv6ExtensionHeader {

    public Ipv6DestinationOptions {
        Wire.notNull("IPv6 destination options", "nextHeader", nextHeader);
        Wire.check("IPv6 destination options", "headerLength", headerLength, 8);
        Wire.notNull("IPv6 destination options", "options", options);
    }

    @Override
    public String name() {
        return "IPv6 destination options";
    }

    @Override
    public byte[] encode() {
        return new Wire().u8(nextHeader.value()).u8(headerLength).bytes(options).toArray();
    }
}

package dev.bpfunit.packet;

/**
 * An IPv4 header with its options; {@link #ihl()} and {@link #totalLength()} hold what is encoded, true or not.
 *
 * @param fragmentOffset the fragment offset in 8-byte units, as on the wire
 * @param reservedFlag the reserved ("evil") flag bit
 * @param options the raw option bytes following the 20-byte fixed header
 */
public record Ipv4(int version, int ihl, int dscp, int ecn, int totalLength, int identification, boolean reservedFlag,
        boolean dontFragment, boolean moreFragments, int fragmentOffset, int ttl, IpProtocol protocol, int checksum,
        Ipv4Address src, Ipv4Address dst, Bytes options) implements Layer {
    public static final int MIN_LENGTH = 20;

    public Ipv4 {
        Wire.check("IPv4", "version", version, 4);
        Wire.check("IPv4", "ihl", ihl, 4);
        Wire.check("IPv4", "dscp", dscp, 6);
        Wire.check("IPv4", "ecn", ecn, 2);
        Wire.check("IPv4", "totalLength", totalLength, 16);
        Wire.check("IPv4", "identification", identification, 16);
        Wire.check("IPv4", "fragmentOffset", fragmentOffset, 13);
        Wire.check("IPv4", "ttl", ttl, 8);
        Wire.check("IPv4", "checksum", checksum, 16);
        Wire.notNull("IPv4", "protocol", protocol);
        Wire.notNull("IPv4", "src", src);
        Wire.notNull("IPv4", "dst", dst);
        Wire.notNull("IPv4", "options", options);
    }

    /** The header length in bytes that this layer encodes (20 plus options), whatever {@link #ihl()} says. */
    public int headerLength() {
        return MIN_LENGTH + options.length();
    }

    @Override
    public String name() {
        return "IPv4";
    }

    @Override
    public byte[] encode() {
        int flags = (reservedFlag ? 4 : 0) | (dontFragment ? 2 : 0) | (moreFragments ? 1 : 0);
        return new Wire().u8(version << 4 | ihl).u8(dscp << 2 | ecn).u16(totalLength).u16(identification)
                .u16(flags << 13 | fragmentOffset).u8(ttl).u8(protocol.value()).u16(checksum)
                .bytes(src.bytes()).bytes(dst.bytes()).bytes(options).toArray();
    }
}

package dev.bpfunit.assertj;

import dev.bpfunit.packet.Icmp;

/** Assertions on the outermost ICMP (v4) header of a packet; made by {@link AbstractPacketAssert#icmp()}. */
public class IcmpAssert extends AbstractLayerAssert<IcmpAssert, Icmp> {

    IcmpAssert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, IcmpAssert.class);
    }

    /** The type is {@code type} (8 echo request, 0 echo reply). */
    public IcmpAssert hasType(int type) {
        return number("type", type, actual.type());
    }

    public IcmpAssert hasCode(int code) {
        return number("code", code, actual.code());
    }

    /** The checksum matches the bytes: the ICMP checksum. */
    public IcmpAssert hasValidChecksum() {
        return validChecksum(actual.checksum());
    }

    /**
     * The checksum field holds {@code expected}: {@code hasChecksum(0x568f)}, for a program that sets or updates
     * it to a known value (compare {@link #hasValidChecksum()}, which recomputes it).
     */
    public IcmpAssert hasChecksum(int expected) {
        return checksumIs(actual.checksum(), expected);
    }
}

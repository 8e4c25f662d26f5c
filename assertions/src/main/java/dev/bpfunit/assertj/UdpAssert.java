package dev.bpfunit.assertj;

import dev.bpfunit.packet.Udp;

/** Assertions on the outermost UDP header of a packet; made by {@link AbstractPacketAssert#udp()}. */
public class UdpAssert extends AbstractLayerAssert<UdpAssert, Udp> {

    UdpAssert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, UdpAssert.class);
    }

    public UdpAssert hasSourcePort(int port) {
        return number("source port", port, actual.srcPort());
    }

    public UdpAssert hasDestinationPort(int port) {
        return number("destination port", port, actual.dstPort());
    }

    /** The length field (header and payload, as encoded) is {@code length}. */
    public UdpAssert hasLength(int length) {
        return number("length", length, actual.length());
    }

    /** The checksum matches the bytes: the UDP checksum, over the pseudo-header, header and data (0, none sent, passes over IPv4). */
    public UdpAssert hasValidChecksum() {
        return validChecksum(actual.checksum());
    }

    /**
     * The checksum field holds {@code expected}: {@code hasChecksum(0x568f)}, for a program that sets or updates
     * it to a known value (compare {@link #hasValidChecksum()}, which recomputes it).
     */
    public UdpAssert hasChecksum(int expected) {
        return checksumIs(actual.checksum(), expected);
    }
}

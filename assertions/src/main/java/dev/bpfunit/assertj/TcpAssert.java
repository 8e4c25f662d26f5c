package dev.bpfunit.assertj;

import dev.bpfunit.packet.Tcp;
import dev.bpfunit.packet.TcpFlags;

/** Assertions on the outermost TCP header of a packet; made by {@link AbstractPacketAssert#tcp()}. */
public class TcpAssert extends AbstractLayerAssert<TcpAssert, Tcp> {

    TcpAssert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, TcpAssert.class);
    }

    public TcpAssert hasSourcePort(int port) {
        return number("source port", port, actual.srcPort());
    }

    public TcpAssert hasDestinationPort(int port) {
        return number("destination port", port, actual.dstPort());
    }

    /** The flags are exactly {@code flags}, by name: {@code "SYN|ACK"}. */
    public TcpAssert hasFlags(String flags) {
        return field("flags", argument(() -> TcpFlags.of(flags)), actual.flags());
    }

    public TcpAssert hasSequence(long sequence) {
        return number("sequence", sequence, actual.sequence());
    }

    public TcpAssert hasAcknowledgment(long acknowledgment) {
        return number("acknowledgment", acknowledgment, actual.acknowledgment());
    }

    public TcpAssert hasWindow(int window) {
        return number("window", window, actual.window());
    }

    /** The checksum matches the bytes: the TCP checksum, over the pseudo-header, header and data. */
    public TcpAssert hasValidChecksum() {
        return validChecksum(actual.checksum());
    }

    /**
     * The checksum field holds {@code expected}: {@code hasChecksum(0x568f)}, for a program that sets or updates
     * it to a known value (compare {@link #hasValidChecksum()}, which recomputes it).
     */
    public TcpAssert hasChecksum(int expected) {
        return checksumIs(actual.checksum(), expected);
    }
}

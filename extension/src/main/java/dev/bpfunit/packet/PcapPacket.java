package dev.bpfunit.packet;

import java.time.Instant;

/**
 * One packet record of a pcap or pcapng capture: when it was captured, the captured bytes and on which interface.
 *
 * @param timestampNanos nanoseconds since the Unix epoch (0 when the record has none, as in a pcapng simple packet block)
 * @param data the captured bytes (an Ethernet frame), possibly shorter than {@link #originalLength()}
 * @param originalLength the length of the packet on the wire
 * @param interfaceIndex the pcapng interface the packet came from, counted across the file; 0 for classic pcap
 */
public record PcapPacket(long timestampNanos, Bytes data, int originalLength, int interfaceIndex) {

    public PcapPacket {
        Wire.notNull("pcap packet", "data", data);
    }

    public static PcapPacket of(long timestampNanos, byte[] frame) {
        return new PcapPacket(timestampNanos, Bytes.of(frame), frame.length, 0);
    }

    /** A fresh copy of the captured bytes, ready to feed to a program. */
    public byte[] bytes() {
        return data.toArray();
    }

    public Instant timestamp() {
        return Instant.ofEpochSecond(Math.floorDiv(timestampNanos, 1_000_000_000L), Math.floorMod(timestampNanos, 1_000_000_000L));
    }

    /** The captured bytes parsed as an Ethernet frame. */
    public Packet packet() {
        return Packet.parse(data.unsafeArray());
    }

    /** Whether the capture cut the packet short (snap length). */
    public boolean truncated() {
        return data.length() < originalLength;
    }
}

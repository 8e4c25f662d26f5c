package dev.bpfunit.packet;

import java.util.List;

/**
 * A TCP header with its options; {@link #dataOffset()} holds what is encoded, true or not.
 *
 * @param flags the 12 flag bits after the data offset (reserved bits included)
 * @param options the raw option bytes after the 20-byte fixed header; see {@link #optionList()}
 */
public record Tcp(int srcPort, int dstPort, long sequence, long acknowledgment, int dataOffset, TcpFlags flags,
        int window, int checksum, int urgentPointer, Bytes options) implements Layer {
    public static final int MIN_LENGTH = 20;

    public Tcp {
        Wire.check("TCP", "srcPort", srcPort, 16);
        Wire.check("TCP", "dstPort", dstPort, 16);
        Wire.check("TCP", "sequence", sequence, 32);
        Wire.check("TCP", "acknowledgment", acknowledgment, 32);
        Wire.check("TCP", "dataOffset", dataOffset, 4);
        Wire.check("TCP", "window", window, 16);
        Wire.check("TCP", "checksum", checksum, 16);
        Wire.check("TCP", "urgentPointer", urgentPointer, 16);
        Wire.notNull("TCP", "flags", flags);
        Wire.notNull("TCP", "options", options);
    }

    /** The options decoded one by one (leniently: a malformed tail is one {@link TcpOption} of kind -1). */
    public List<TcpOption> optionList() {
        return TcpOption.parseAll(options);
    }

    /** The header length in bytes that this layer encodes (20 plus options), whatever {@link #dataOffset()} says. */
    public int headerLength() {
        return MIN_LENGTH + options.length();
    }

    @Override
    public String name() {
        return "TCP";
    }

    @Override
    public byte[] encode() {
        return new Wire().u16(srcPort).u16(dstPort).u32(sequence).u32(acknowledgment).u16(dataOffset << 12 | flags.bits())
                .u16(window).u16(checksum).u16(urgentPointer).bytes(options).toArray();
    }
}

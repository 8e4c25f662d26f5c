package dev.bpfunit.packet;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes Ethernet frames to a classic pcap file that Wireshark, tshark and tcpdump open.
 *
 * <pre>{@code
 * try (PcapWriter w = PcapWriter.open(path)) {
 *     w.write(packet);
 * }
 * }</pre>
 */
public final class PcapWriter implements AutoCloseable {
    /** The timestamp precision of the file, chosen by its magic number. */
    public enum Precision { MICROSECONDS, NANOSECONDS }

    private static final int SNAPLEN = 262144;
    private final OutputStream out;
    private final String target;
    private final Precision precision;
    private final ByteOrder order;
    private long nextTimestamp;
    private boolean closed;

    private PcapWriter(OutputStream out, String target, Precision precision, ByteOrder order) {
        this.out = out;
        this.target = target;
        this.precision = precision;
        this.order = order;
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(precision == Precision.NANOSECONDS ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4)
                .putInt(0).putInt(0).putInt(SNAPLEN).putInt(LinkTypes.ETHERNET);
        put(h.array());
    }

    /** A nanosecond, little-endian pcap file at {@code file}, its directories created. */
    public static PcapWriter open(Path file) {
        return open(file, Precision.NANOSECONDS, ByteOrder.LITTLE_ENDIAN);
    }

    public static PcapWriter open(Path file, Precision precision, ByteOrder order) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file)), file.toString(), precision, order);
        } catch (IOException e) {
            throw new PacketException("cannot create pcap file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes to {@code out}, which {@link #close()} closes. */
    public static PcapWriter open(OutputStream out, Precision precision, ByteOrder order) {
        return new PcapWriter(out, "stream", precision, order);
    }

    /** Writes all packets to {@code file}, one millisecond apart from the epoch. */
    public static Path write(Path file, List<Packet> packets) {
        try (PcapWriter w = open(file)) {
            packets.forEach(w::write);
        }
        return file;
    }

    /** Writes {@code frame} with this timestamp; the next packet written without one comes 1 ms later. */
    public PcapWriter write(long timestampNanos, byte[] frame) {
        if (closed) {
            throw new PacketException("pcap writer for " + target + " is closed");
        }
        if (timestampNanos < 0) {
            throw new PacketException("pcap timestamp " + timestampNanos + " ns is before 1970");
        }
        long sec = timestampNanos / 1_000_000_000L;
        long frac = timestampNanos % 1_000_000_000L;
        ByteBuffer h = ByteBuffer.allocate(16).order(order);
        int caplen = Math.min(frame.length, SNAPLEN);
        h.putInt((int) sec).putInt((int) (precision == Precision.NANOSECONDS ? frac : frac / 1000)).putInt(caplen).putInt(frame.length);
        put(h.array());
        try {
            out.write(frame, 0, caplen);
        } catch (IOException e) {
            throw new PacketException("cannot write pcap file " + target + ": " + e.getMessage(), e);
        }
        nextTimestamp = timestampNanos + 1_000_000L;
        return this;
    }

    public PcapWriter write(Packet packet) {
        return write(nextTimestamp, packet.bytes());
    }

    public PcapWriter write(PcapPacket packet) {
        return write(packet.timestampNanos(), packet.bytes());
    }

    private void put(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new PacketException("cannot write pcap file " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new PacketException("cannot close pcap file " + target + ": " + e.getMessage(), e);
        }
    }
}

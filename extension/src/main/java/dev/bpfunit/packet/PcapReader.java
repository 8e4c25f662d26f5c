package dev.bpfunit.packet;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Ethernet captures in classic pcap (both byte orders, micro- or nanosecond) or pcapng format into {@link PcapPacket}s.
 *
 * <p>pcapng files may have several sections and interfaces; every interface must have the Ethernet link type.
 * Interface timestamp resolution ({@code if_tsresol}) and offset ({@code if_tsoffset}) are applied. Enhanced,
 * simple and obsolete packet blocks are read; other blocks are skipped. Anything else gets a
 * {@link PacketException} naming the file and the offset.
 */
public final class PcapReader {
    private static final int PCAP_MICRO = 0xa1b2c3d4;
    private static final int PCAP_NANO = 0xa1b23c4d;
    private static final int PCAPNG_SHB = 0x0a0d0d0a;
    private static final int PCAPNG_BOM = 0x1a2b3c4d;
    private static final int MAX_RECORD = 256 * 1024 * 1024;

    private final String source;
    private final ByteBuffer buf;

    private PcapReader(String source, byte[] data) {
        this.source = source;
        this.buf = ByteBuffer.wrap(data);
    }

    public static List<PcapPacket> read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PacketException("capture file " + file + " does not exist");
        } catch (IOException e) {
            throw new PacketException("cannot read capture file " + file + ": " + e.getMessage(), e);
        }
        return read(data, file.toString());
    }

    /** Reads the whole stream (not closed); {@code source} names it in error messages. */
    public static List<PcapPacket> read(InputStream in, String source) {
        try {
            return read(in.readAllBytes(), source);
        } catch (IOException e) {
            throw new PacketException("cannot read capture " + source + ": " + e.getMessage(), e);
        }
    }

    public static List<PcapPacket> read(byte[] data, String source) {
        return new PcapReader(source, data).readAll();
    }

    private List<PcapPacket> readAll() {
        if (buf.remaining() < 4) {
            throw new PacketException(source + ": not a pcap or pcapng file (only " + buf.remaining() + " bytes)");
        }
        int be = buf.order(ByteOrder.BIG_ENDIAN).getInt(0);
        int le = buf.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        try {
            if (be == PCAPNG_SHB) {
                return readPcapng();
            }
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                int magic = order == ByteOrder.BIG_ENDIAN ? be : le;
                if (magic == PCAP_MICRO || magic == PCAP_NANO) {
                    buf.order(order);
                    return readPcap(magic == PCAP_NANO);
                }
            }
        } catch (BufferUnderflowException e) {
            throw new PacketException(source + ": file ends in the middle of a header at offset " + buf.position()
                    + " (truncated capture?)");
        }
        throw new PacketException(String.format("%s: not a pcap or pcapng file: magic 0x%08x; expected a1b2c3d4 or a1b23c4d"
                + " (pcap) or 0a0d0d0a (pcapng)", source, be));
    }

    private List<PcapPacket> readPcap(boolean nanos) {
        buf.position(4);
        int major = Short.toUnsignedInt(buf.getShort());
        int minor = Short.toUnsignedInt(buf.getShort());
        buf.getInt(); // thiszone
        buf.getInt(); // sigfigs
        buf.getInt(); // snaplen
        int linkType = buf.getInt() & 0xffff; // the upper bits may carry the FCS length
        if (major != 2) {
            throw new PacketException(source + ": pcap version " + major + "." + minor + " is not supported (expected 2.4)");
        }
        if (linkType != LinkTypes.ETHERNET) {
            throw LinkTypes.unsupported(source, "the capture", linkType);
        }
        List<PcapPacket> out = new ArrayList<>();
        while (buf.hasRemaining()) {
            int at = buf.position();
            if (buf.remaining() < 16) {
                throw new PacketException(source + ": record " + out.size() + " at offset " + at + " is truncated: "
                        + buf.remaining() + " of 16 header bytes");
            }
            long sec = Integer.toUnsignedLong(buf.getInt());
            long frac = Integer.toUnsignedLong(buf.getInt());
            int caplen = buf.getInt();
            int origlen = buf.getInt();
            if (caplen < 0 || caplen > MAX_RECORD || caplen > buf.remaining()) {
                throw new PacketException(source + ": record " + out.size() + " at offset " + at + " says "
                        + Integer.toUnsignedString(caplen) + " captured bytes but " + buf.remaining() + " are left (truncated capture?)");
            }
            byte[] data = new byte[caplen];
            buf.get(data);
            out.add(new PcapPacket(sec * 1_000_000_000L + (nanos ? frac : frac * 1000), Bytes.of(data), origlen, 0));
        }
        return out;
    }

    /** A pcapng interface: where its packets' timestamps come from. */
    private record Interface(int snaplen, boolean binary, int exponent, long offsetSeconds) {

        long nanos(long units) {
            BigInteger u = new BigInteger(Long.toUnsignedString(units));
            BigInteger perSecond = binary ? BigInteger.ONE.shiftLeft(exponent) : BigInteger.TEN.pow(exponent);
            return u.multiply(BigInteger.valueOf(1_000_000_000L)).divide(perSecond).longValue() + offsetSeconds * 1_000_000_000L;
        }
    }

    private List<PcapPacket> readPcapng() {
        List<PcapPacket> out = new ArrayList<>();
        List<Interface> section = new ArrayList<>();
        int sectionBase = 0;
        int interfaces = 0;
        while (buf.hasRemaining()) {
            int at = buf.position();
            if (buf.remaining() < 12) {
                throw new PacketException(source + ": block at offset " + at + " is truncated: " + buf.remaining() + " bytes left");
            }
            int type = buf.getInt(at);
            if (type == PCAPNG_SHB || Integer.reverseBytes(type) == PCAPNG_SHB) {
                int bom = buf.order(ByteOrder.BIG_ENDIAN).getInt(at + 8);
                if (bom == PCAPNG_BOM) {
                    buf.order(ByteOrder.BIG_ENDIAN);
                } else if (Integer.reverseBytes(bom) == PCAPNG_BOM) {
                    buf.order(ByteOrder.LITTLE_ENDIAN);
                } else {
                    throw new PacketException(String.format("%s: section header at offset %d has byte-order magic 0x%08x,"
                            + " expected 1a2b3c4d", source, at, bom));
                }
                sectionBase = interfaces;
                section = new ArrayList<>();
                type = PCAPNG_SHB;
            }
            long total = Integer.toUnsignedLong(buf.getInt(at + 4));
            if (total < 12 || total % 4 != 0 || total > buf.remaining()) {
                throw new PacketException(source + ": block of type " + type + " at offset " + at + " has length " + total
                        + (total > buf.remaining() ? ", but only " + buf.remaining() + " bytes are left (truncated capture?)"
                                : ", which is not a multiple of 4 and at least 12"));
            }
            ByteBuffer body = buf.duplicate().order(buf.order());
            body.position(at + 8).limit((int) (at + total - 4));
            switch (type) {
                case PCAPNG_SHB -> {
                    body.getInt(); // byte-order magic
                    int major = Short.toUnsignedInt(body.getShort());
                    if (major != 1) {
                        throw new PacketException(source + ": pcapng version " + major + " at offset " + at + " is not supported (expected 1)");
                    }
                }
                case 1 -> {
                    int linkType = Short.toUnsignedInt(body.getShort());
                    body.getShort();
                    int snaplen = body.getInt();
                    if (linkType != LinkTypes.ETHERNET) {
                        throw LinkTypes.unsupported(source, "pcapng interface " + interfaces + " (block at offset " + at + ")", linkType);
                    }
                    section.add(readInterfaceOptions(body, snaplen));
                    interfaces++;
                }
                case 6, 2 -> {
                    int ifIndex = type == 6 ? body.getInt() : Short.toUnsignedInt(body.getShort());
                    if (type == 2) {
                        body.getShort(); // drops count
                    }
                    long ts = (Integer.toUnsignedLong(body.getInt()) << 32) | Integer.toUnsignedLong(body.getInt());
                    int caplen = body.getInt();
                    int origlen = body.getInt();
                    Interface iface = iface(section, ifIndex, at);
                    if (caplen < 0 || caplen > body.remaining()) {
                        throw new PacketException(source + ": packet block at offset " + at + " says " + Integer.toUnsignedString(caplen)
                                + " captured bytes but the block holds " + body.remaining());
                    }
                    byte[] data = new byte[caplen];
                    body.get(data);
                    out.add(new PcapPacket(iface.nanos(ts), Bytes.of(data), origlen, sectionBase + ifIndex));
                }
                case 3 -> {
                    Interface iface = iface(section, 0, at);
                    int origlen = body.getInt();
                    int caplen = Math.min(body.remaining(), origlen);
                    if (iface.snaplen() > 0) {
                        caplen = Math.min(caplen, iface.snaplen());
                    }
                    byte[] data = new byte[Math.max(0, caplen)];
                    body.get(data);
                    out.add(new PcapPacket(0, Bytes.of(data), origlen, sectionBase));
                }
                default -> {
                    // name resolution, statistics, decryption secrets, custom blocks: nothing to replay
                }
            }
            buf.position((int) (at + total));
        }
        return out;
    }

    private Interface iface(List<Interface> section, int index, int at) {
        if (index < 0 || index >= section.size()) {
            throw new PacketException(source + ": packet block at offset " + at + " refers to interface " + index + ", but its section"
                    + " describes " + section.size() + " interface(s)");
        }
        return section.get(index);
    }

    private Interface readInterfaceOptions(ByteBuffer body, int snaplen) {
        boolean binary = false;
        int exponent = 6;
        long offset = 0;
        while (body.remaining() >= 4) {
            int code = Short.toUnsignedInt(body.getShort());
            int len = Short.toUnsignedInt(body.getShort());
            if (code == 0 || len > body.remaining()) {
                break;
            }
            int start = body.position();
            if (code == 9 && len >= 1) { // if_tsresol
                int r = body.get(start) & 0xff;
                binary = (r & 0x80) != 0;
                exponent = r & 0x7f;
            } else if (code == 14 && len >= 8) { // if_tsoffset
                offset = body.getLong(start);
            }
            body.position(start + ((len + 3) & ~3));
        }
        if (binary ? exponent > 62 : exponent > 18) {
            throw new PacketException(source + ": interface timestamp resolution " + (binary ? "2^-" : "10^-") + exponent
                    + " is not supported");
        }
        return new Interface(snaplen, binary, exponent, offset);
    }
}

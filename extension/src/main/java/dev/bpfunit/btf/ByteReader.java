package dev.bpfunit.btf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked reads from bytes (an array, or a file mapped into memory), each failure naming what was read and
 * where. Reads are absolute: the buffer's position and limit are never used.
 */
final class ByteReader {
    private final ByteBuffer buf;
    private final String what;

    ByteReader(ByteBuffer data, ByteOrder order, String what) {
        this.buf = data.duplicate().order(order);
        this.what = what;
    }

    int length() {
        return buf.capacity();
    }

    ByteOrder order() {
        return buf.order();
    }

    void need(long offset, long size, String field) {
        if (offset < 0 || size < 0 || offset + size > buf.capacity()) {
            throw new BtfException(what + ": " + field + " at offset " + offset + " needs " + size
                    + " bytes, but the data is only " + buf.capacity() + " bytes long (truncated?)");
        }
    }

    int u8(long offset, String field) {
        need(offset, 1, field);
        return buf.get((int) offset) & 0xff;
    }

    int u16(long offset, String field) {
        need(offset, 2, field);
        return buf.getShort((int) offset) & 0xffff;
    }

    /** A u32 as a Java int (the caller decides whether it is signed). */
    int u32(long offset, String field) {
        need(offset, 4, field);
        return buf.getInt((int) offset);
    }

    /** A u32 that must fit a non-negative int, as sizes, counts and offsets must. */
    int u32NonNegative(long offset, String field) {
        int v = u32(offset, field);
        if (v < 0) {
            throw new BtfException(what + ": " + field + " at offset " + offset + " is "
                    + Integer.toUnsignedString(v) + ", larger than supported (2^31-1)");
        }
        return v;
    }

    /** The start of a BTF or BTF.ext header: a reader in the data's byte order and the header's length. */
    record Header(ByteReader reader, int length) {
    }

    /**
     * Reads the header start BTF and BTF.ext share: the magic (which gives the byte order), version 1 and
     * {@code hdr_len}, at least {@code minLength} and within the data.
     */
    static Header header(ByteBuffer data, int magic, String what, int minLength) {
        ByteReader r = new ByteReader(data, orderFromMagic(data, magic, what), what);
        int version = r.u8(2, "header version");
        if (version != 1) {
            throw new BtfException(what + ": unsupported version " + version + " (only 1 is known)");
        }
        int hdrLen = r.u32NonNegative(4, "header hdr_len");
        if (hdrLen < minLength) {
            throw new BtfException(what + ": hdr_len " + hdrLen + " is smaller than the " + minLength + "-byte header");
        }
        r.need(0, hdrLen, "header");
        return new Header(r, hdrLen);
    }

    /** Determines the byte order from a 16-bit magic at offset 0, or throws naming what was found. */
    static ByteOrder orderFromMagic(ByteBuffer data, int magic, String what) {
        if (data == null) {
            throw new BtfException(what + ": data must not be null");
        }
        int length = data.capacity();
        if (length < 2) {
            throw new BtfException(what + ": " + length + " bytes is too short for the magic 0x"
                    + Integer.toHexString(magic));
        }
        int b0 = data.get(0) & 0xff;
        int b1 = data.get(1) & 0xff;
        int le = b0 | b1 << 8;
        int be = b1 | b0 << 8;
        if (le == magic) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (be == magic) {
            return ByteOrder.BIG_ENDIAN;
        }
        throw new BtfException(what + ": bad magic 0x" + String.format("%02x%02x", b0, b1)
                + ", expected 0x" + Integer.toHexString(magic) + " in either byte order"
                + (length >= 4 && b0 == 0x7f && b1 == 'E' && data.get(2) == 'L' && data.get(3) == 'F'
                        ? " (this is an ELF file: pass its .BTF section, or use Btf.read)" : ""));
    }

    /** The NUL-terminated UTF-8 string at {@code offset} of a string section (all of {@code strings}). */
    static String cString(ByteBuffer strings, int offset, String what) {
        int end = strings.capacity();
        if (offset < 0 || offset >= end) {
            throw new BtfException(what + ": string offset " + Integer.toUnsignedString(offset)
                    + " is past the end of the string section (" + end + " bytes)");
        }
        int q = offset;
        while (q < end && strings.get(q) != 0) {
            q++;
        }
        if (q == end) {
            throw new BtfException(what + ": string at offset " + offset + " is not NUL-terminated within the "
                    + end + "-byte string section");
        }
        byte[] bytes = new byte[q - offset];
        strings.get(offset, bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

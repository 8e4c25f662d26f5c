package dev.bpfunit.packet;

import java.util.Arrays;

/** Big-endian byte writer and field range checks shared by the layer records. */
final class Wire {
    private byte[] buf = new byte[64];
    private int pos;

    Wire u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    Wire u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    Wire u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    Wire bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    Wire bytes(Bytes b) {
        return bytes(b.unsafeArray());
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static long u32(byte[] b, int off) {
        return ((long) u16(b, off) << 16) | u16(b, off + 2);
    }

    /** Rejects a value that does not fit an unsigned field of {@code bits} bits. */
    static int check(String layer, String field, long value, int bits) {
        if (value < 0 || value >= (1L << bits)) {
            throw new PacketException(layer + " " + field + " " + value + " does not fit in " + bits + " bits (0.." + ((1L << bits) - 1) + ")");
        }
        return (int) value;
    }

    static void notNull(String layer, String field, Object value) {
        if (value == null) {
            throw new PacketException(layer + " " + field + " must not be null");
        }
    }
}

package dev.bpfunit.packet;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of bytes with value equality, used for payloads and raw option fields of layers.
 */
public final class Bytes {
    private static final Bytes EMPTY = new Bytes(new byte[0]);
    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** Copies {@code data}. */
    public static Bytes of(byte... data) {
        if (data == null) {
            throw new PacketException("bytes must not be null");
        }
        return data.length == 0 ? EMPTY : new Bytes(data.clone());
    }

    /** Copies {@code length} bytes of {@code data} from {@code offset}. */
    public static Bytes of(byte[] data, int offset, int length) {
        if (data == null) {
            throw new PacketException("bytes must not be null");
        }
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new PacketException("bytes " + offset + ".." + (offset + length) + " are out of range of " + data.length + " bytes");
        }
        return length == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(data, offset, offset + length));
    }

    /** Parses hex digits, ignoring spaces, colons and line breaks: {@code "de ad be ef"}. */
    public static Bytes fromHex(String hex) {
        String digits = hex.replaceAll("[\\s:]", "");
        try {
            return of(HexFormat.of().parseHex(digits));
        } catch (IllegalArgumentException e) {
            throw new PacketException("not a hex string: '" + hex + "' (" + e.getMessage() + ")");
        }
    }

    public static Bytes empty() {
        return EMPTY;
    }

    public int length() {
        return data.length;
    }

    public boolean isEmpty() {
        return data.length == 0;
    }

    /** The byte at {@code index} as an unsigned value. */
    public int get(int index) {
        return data[index] & 0xff;
    }

    /** A fresh copy of the bytes. */
    public byte[] toArray() {
        return data.clone();
    }

    /** {@code length} bytes from {@code offset}. */
    public Bytes slice(int offset, int length) {
        return of(data, offset, length);
    }

    /** Lower-case hex, no separators. */
    public String hex() {
        return HexFormat.of().formatHex(data);
    }

    byte[] unsafeArray() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    /** Hex, shortened in the middle beyond 64 bytes, with the length: {@code 4 bytes deadbeef}. */
    @Override
    public String toString() {
        if (data.length <= 64) {
            return data.length + " bytes " + hex();
        }
        return data.length + " bytes " + HexFormat.of().formatHex(data, 0, 32) + ".."
                + HexFormat.of().formatHex(data, data.length - 16, data.length);
    }
}

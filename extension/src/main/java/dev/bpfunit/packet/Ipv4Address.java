package dev.bpfunit.packet;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 address printed in dotted quad form, {@code 10.0.0.1}, with no name lookup ever.
 *
 * @param value the address as a big-endian 32-bit number
 */
public record Ipv4Address(int value) {

    /** Parses a dotted quad such as {@code 192.0.2.1}. */
    public static Ipv4Address of(String text) {
        if (text == null) {
            throw new PacketException("An IPv4 address must not be null");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new PacketException("not an IPv4 address: '" + text + "' (expected a dotted quad like 10.0.0.1)");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                throw new PacketException("not an IPv4 address: '" + text + "' (part '" + p + "' is not 0..255)");
            }
            v = (v << 8) | Integer.parseInt(p);
        }
        return new Ipv4Address(v);
    }

    public static Ipv4Address of(Inet4Address address) {
        return read(address.getAddress(), 0);
    }

    public byte[] bytes() {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    public Inet4Address toInetAddress() {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static Ipv4Address read(byte[] b, int off) {
        return new Ipv4Address(((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff));
    }

    @Override
    public String toString() {
        return (value >>> 24) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
    }
}

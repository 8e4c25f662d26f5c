package dev.bpfunit.packet;

/**
 * A 48-bit Ethernet MAC address, printed as {@code 02:00:00:00:00:01}.
 *
 * @param value the address in the low 48 bits, first octet most significant
 */
public record MacAddress(long value) {
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new PacketException("MAC address value 0x" + Long.toHexString(value) + " has more than 48 bits");
        }
    }

    /** Parses {@code 02:00:00:00:00:01} or {@code 02-00-00-00-00-01}. */
    public static MacAddress of(String text) {
        if (text == null) {
            throw new PacketException("A MAC address must not be null");
        }
        String[] parts = text.trim().split("[:-]");
        if (parts.length != 6) {
            throw new PacketException("not a MAC address: '" + text + "' (expected six hex octets like 02:00:00:00:00:01)");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2 || !p.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new PacketException("not a MAC address: '" + text + "' (octet '" + p + "' is not hex)");
            }
            v = (v << 8) | Integer.parseInt(p, 16);
        }
        return new MacAddress(v);
    }

    /** The six octets, first one first. */
    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    static MacAddress read(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return new MacAddress(v);
    }

    @Override
    public String toString() {
        byte[] b = bytes();
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
}

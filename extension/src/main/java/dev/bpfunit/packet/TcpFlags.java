package dev.bpfunit.packet;

import java.util.StringJoiner;

/**
 * The TCP flag bits (the 12 bits after the data offset, including the reserved ones), printed by name: {@code SYN|ACK}.
 *
 * @param bits the flag bits, FIN being bit 0
 */
public record TcpFlags(int bits) {
    public static final int FIN = 0x001;
    public static final int SYN = 0x002;
    public static final int RST = 0x004;
    public static final int PSH = 0x008;
    public static final int ACK = 0x010;
    public static final int URG = 0x020;
    public static final int ECE = 0x040;
    public static final int CWR = 0x080;
    /** Accurate ECN, formerly NS (RFC 3540). */
    public static final int AE = 0x100;
    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE", "RES9", "RES10", "RES11"};

    public TcpFlags {
        if ((bits & ~0xfff) != 0) {
            throw new PacketException("TCP flags 0x" + Integer.toHexString(bits) + " do not fit in 12 bits");
        }
    }

    /** Parses names separated by {@code |}, {@code ,} or spaces, case-insensitive: {@code "syn|ack"}. */
    public static TcpFlags of(String names) {
        int bits = 0;
        for (String n : names.trim().split("[|,\\s]+")) {
            if (n.isEmpty()) {
                continue;
            }
            int i = java.util.Arrays.asList(NAMES).indexOf(n.toUpperCase(java.util.Locale.ROOT));
            if (i < 0) {
                throw new PacketException("unknown TCP flag '" + n + "' in '" + names + "'; known: FIN SYN RST PSH ACK URG ECE CWR AE");
            }
            bits |= 1 << i;
        }
        return new TcpFlags(bits);
    }

    public boolean has(int flag) {
        return (bits & flag) == flag;
    }

    @Override
    public String toString() {
        if (bits == 0) {
            return "none";
        }
        StringJoiner j = new StringJoiner("|");
        for (int i = 0; i < NAMES.length; i++) {
            if ((bits & (1 << i)) != 0) {
                j.add(NAMES[i]);
            }
        }
        return j.toString();
    }
}

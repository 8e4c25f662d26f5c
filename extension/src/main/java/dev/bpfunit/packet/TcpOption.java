package dev.bpfunit.packet;

import java.util.ArrayList;
import java.util.List;

/**
 * One TCP option as a kind and its data, printed by name: {@code MSS=1460}, {@code TS=1,0}, {@code NOP}.
 *
 * @param kind the option kind; -1 for bytes that do not form a valid option
 * @param data the option data, without the kind and length octets
 */
public record TcpOption(int kind, Bytes data) {
    public static final int EOL = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WINDOW_SCALE = 3;
    public static final int SACK_PERMITTED = 4;
    public static final int SACK = 5;
    public static final int TIMESTAMPS = 8;

    public TcpOption {
        Wire.notNull("TCP option", "data", data);
        if (kind < -1 || kind > 255) {
            throw new PacketException("TCP option kind " + kind + " is not 0..255");
        }
        if (kind > NOP && data.length() > 253) {
            throw new PacketException("TCP option kind " + kind + " has " + data.length() + " data bytes; at most 253 fit its length octet");
        }
    }

    /** The encoded option: kind, length and data (just the kind for EOL and NOP). */
    public byte[] encode() {
        if (kind == EOL || kind == NOP) {
            return new byte[] {(byte) kind};
        }
        if (kind < 0) {
            return data.toArray();
        }
        return new Wire().u8(kind).u8(data.length() + 2).bytes(data).toArray();
    }

    static List<TcpOption> parseAll(Bytes options) {
        List<TcpOption> out = new ArrayList<>();
        byte[] b = options.unsafeArray();
        int i = 0;
        while (i < b.length) {
            int kind = b[i] & 0xff;
            if (kind == EOL || kind == NOP) {
                out.add(new TcpOption(kind, Bytes.empty()));
                i++;
                continue;
            }
            int len = i + 1 < b.length ? b[i + 1] & 0xff : 0;
            if (len < 2 || i + len > b.length) {
                out.add(new TcpOption(-1, Bytes.of(b, i, b.length - i)));
                break;
            }
            out.add(new TcpOption(kind, Bytes.of(b, i + 2, len - 2)));
            i += len;
        }
        return out;
    }

    @Override
    public String toString() {
        byte[] d = data.unsafeArray();
        return switch (kind) {
            case EOL -> "EOL";
            case NOP -> "NOP";
            case MSS -> d.length == 2 ? "MSS=" + Wire.u16(d, 0) : "MSS?" + data.hex();
            case WINDOW_SCALE -> d.length == 1 ? "WS=" + Wire.u8(d, 0) : "WS?" + data.hex();
            case SACK_PERMITTED -> d.length == 0 ? "SACK_PERM" : "SACK_PERM?" + data.hex();
            case TIMESTAMPS -> d.length == 8 ? "TS=" + Wire.u32(d, 0) + "," + Wire.u32(d, 4) : "TS?" + data.hex();
            case -1 -> "malformed(" + data.hex() + ")";
            default -> "kind" + kind + "(" + data.hex() + ")";
        };
    }
}

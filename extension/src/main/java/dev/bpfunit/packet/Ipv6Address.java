package dev.bpfunit.packet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv6 address printed in the RFC 5952 compressed form, {@code fd00::1}, with no name lookup ever.
 *
 * @param high the first 64 bits
 * @param low the last 64 bits
 */
public record Ipv6Address(long high, long low) {

    /** Parses any RFC 4291 text form, including {@code ::} and an embedded IPv4 tail ({@code ::ffff:10.0.0.1}). */
    public static Ipv6Address of(String text) {
        if (text == null) {
            throw new PacketException("An IPv6 address must not be null");
        }
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') < 0 || s.contains("%")) {
            throw new PacketException("not an IPv6 address: '" + text + "' (expected a form like fd00::1, without zone)");
        }
        try {
            // A literal never triggers a name lookup; Java validates the syntax.
            InetAddress a = InetAddress.getByName("[" + s + "]");
            byte[] b = a.getAddress();
            if (b.length == 4) { // ::ffff:a.b.c.d is returned as Inet4Address
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(b, 0, m, 12, 4);
                b = m;
            }
            return read(b, 0);
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new PacketException("not an IPv6 address: '" + text + "'");
        }
    }

    public static Ipv6Address of(Inet6Address address) {
        return read(address.getAddress(), 0);
    }

    public byte[] bytes() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    public Inet6Address toInetAddress() {
        try {
            return Inet6Address.getByAddress(null, bytes(), null);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static Ipv6Address read(byte[] b, int off) {
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (b[off + i] & 0xff);
            l = (l << 8) | (b[off + 8 + i] & 0xff);
        }
        return new Ipv6Address(h, l);
    }

    @Override
    public String toString() {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            g[4 + i] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}

package dev.bpfunit.samples;

import java.nio.ByteBuffer;

/** Builds the few Ethernet / IPv4 frames the sample tests feed to programs. */
final class Packets {
    static final byte[] SRC_MAC = {2, 0, 0, 0, 0, 1};
    static final byte[] DST_MAC = {2, 0, 0, 0, 0, 2};

    private Packets() {
    }

    /** An Ethernet + IPv4 + UDP frame from {@code src}:{@code sport} to {@code dst}:{@code dport}. */
    static byte[] udp4(byte[] src, byte[] dst, int sport, int dport, int payload, int ttl) {
        return ipv4(src, dst, 17, ttl, ByteBuffer.allocate(8 + payload).putShort((short) sport)
                .putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0).array());
    }

    /** An Ethernet + IPv4 + TCP (bare 20-byte header, SYN) frame. */
    static byte[] tcp4(byte[] src, byte[] dst, int sport, int dport) {
        return ipv4(src, dst, 6, 64, ByteBuffer.allocate(20).putShort((short) sport).putShort((short) dport)
                .putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x02).putShort((short) 1024).array());
    }

    static byte[] ipv4(byte[] src, byte[] dst, int protocol, int ttl, byte[] l4) {
        ByteBuffer ip = ByteBuffer.allocate(20 + l4.length);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 0x1234)
                .putShort((short) 0).put((byte) ttl).put((byte) protocol).putShort((short) 0).put(src).put(dst);
        ip.putShort(10, (short) checksum(ip.array(), 0, 20));
        ip.position(20);
        ip.put(l4);
        return ethernet(0x0800, ip.array());
    }

    static byte[] ethernet(int etherType, byte[] payload) {
        return ByteBuffer.allocate(14 + payload.length).put(DST_MAC).put(SRC_MAC).putShort((short) etherType)
                .put(payload).array();
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}. */
    static int checksum(byte[] b, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((b[offset + i] & 0xff) << 8) | (i + 1 < length ? b[offset + i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }
}

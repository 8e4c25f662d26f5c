package dev.bpfunit.samples;

import dev.bpfunit.packet.PacketBuilder;
import dev.bpfunit.packet.Packets;

/** The few Ethernet / IPv4 frames the sample tests feed to programs, built with bpfunit's packet builder. */
final class Frames {
    static final String SRC_MAC = "02:00:00:00:00:01";
    static final String DST_MAC = "02:00:00:00:00:02";

    private Frames() {
    }

    /** An Ethernet + IPv4 + UDP frame from {@code src}:{@code sport} to {@code dst}:{@code dport}. */
    static byte[] udp4(byte[] src, byte[] dst, int sport, int dport, int payload, int ttl) {
        return ipv4Header(src, dst, ttl).udp().srcPort(sport).dstPort(dport).payload(payload).bytes();
    }

    /** An Ethernet + IPv4 + TCP (bare 20-byte header, SYN) frame. */
    static byte[] tcp4(byte[] src, byte[] dst, int sport, int dport) {
        return ipv4Header(src, dst, 64).tcp().srcPort(sport).dstPort(dport).sequence(1).flags("SYN").window(1024)
                .bytes();
    }

    /** An Ethernet + IPv4 frame carrying {@code l4} as protocol {@code protocol}. */
    static byte[] ipv4(byte[] src, byte[] dst, int protocol, int ttl, byte[] l4) {
        return ipv4Header(src, dst, ttl).protocol(protocol).payload(l4).bytes();
    }

    /** An Ethernet frame of the given EtherType. */
    static byte[] ethernet(int etherType, byte[] payload) {
        return Packets.ethernet().src(SRC_MAC).dst(DST_MAC).etherType(etherType).payload(payload).bytes();
    }

    private static PacketBuilder.Ipv4Builder ipv4Header(byte[] src, byte[] dst, int ttl) {
        return Packets.ethernet().src(SRC_MAC).dst(DST_MAC).ipv4().src(dotted(src)).dst(dotted(dst)).ttl(ttl)
                .identification(0x1234);
    }

    private static String dotted(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
}

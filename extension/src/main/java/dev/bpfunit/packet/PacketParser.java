package dev.bpfunit.packet;

import java.util.ArrayList;
import java.util.List;

/** Decodes bytes into layers, leniently: whatever cannot be decoded ends in a {@link Malformed} layer, never an exception. */
final class PacketParser {
    static final int MAX_LAYERS = 64;

    private enum Proto { ETHERNET, VLAN, ARP, IPV4, IPV6, HOPOPT, ROUTING, FRAGMENT, DSTOPT, TCP, UDP, ICMP, ICMPV6, VXLAN, GENEVE, GRE, PAYLOAD }

    private final byte[] b;
    private final List<Layer> out = new ArrayList<>();

    private PacketParser(byte[] b) {
        this.b = b;
    }

    static List<Layer> parseEthernet(byte[] bytes) {
        PacketParser p = new PacketParser(bytes);
        p.decode(Proto.ETHERNET, 0, bytes.length);
        return p.out;
    }

    static List<Layer> parseIp(byte[] bytes) {
        PacketParser p = new PacketParser(bytes);
        boolean v6 = bytes.length > 0 && (bytes[0] & 0xf0) == 0x60;
        p.decode(v6 ? Proto.IPV6 : Proto.IPV4, 0, bytes.length);
        return p.out;
    }

    private static Proto byEtherType(int type) {
        return switch (type) {
            case 0x0800 -> Proto.IPV4;
            case 0x86dd -> Proto.IPV6;
            case 0x0806 -> Proto.ARP;
            case 0x8100, 0x88a8, 0x9100 -> Proto.VLAN;
            case 0x6558 -> Proto.ETHERNET;
            default -> Proto.PAYLOAD;
        };
    }

    private static Proto byIpProtocol(int protocol) {
        return switch (protocol) {
            case 0 -> Proto.HOPOPT;
            case 1 -> Proto.ICMP;
            case 4 -> Proto.IPV4;
            case 6 -> Proto.TCP;
            case 17 -> Proto.UDP;
            case 41 -> Proto.IPV6;
            case 43 -> Proto.ROUTING;
            case 44 -> Proto.FRAGMENT;
            case 47 -> Proto.GRE;
            case 58 -> Proto.ICMPV6;
            case 60 -> Proto.DSTOPT;
            default -> Proto.PAYLOAD;
        };
    }

    private static String name(Proto p) {
        return switch (p) {
            case ETHERNET -> "Ethernet";
            case VLAN -> "VLAN";
            case ARP -> "ARP";
            case IPV4 -> "IPv4";
            case IPV6 -> "IPv6";
            case HOPOPT -> "IPv6 hop-by-hop";
            case ROUTING -> "IPv6 routing";
            case FRAGMENT -> "IPv6 fragment";
            case DSTOPT -> "IPv6 destination options";
            case TCP -> "TCP";
            case UDP -> "UDP";
            case ICMP -> "ICMP";
            case ICMPV6 -> "ICMPv6";
            case VXLAN -> "VXLAN";
            case GENEVE -> "GENEVE";
            case GRE -> "GRE";
            case PAYLOAD -> "Payload";
        };
    }

    /** Decodes the layer {@code p} at {@code off}, then what it carries, within {@code [off, end)}. */
    private void decode(Proto p, int off, int end) {
        int left = end - off;
        if (p == Proto.PAYLOAD) {
            if (left > 0) {
                out.add(new Payload(Bytes.of(b, off, left)));
            }
            return;
        }
        if (out.size() >= MAX_LAYERS) {
            malformed(p, off, end, "more than " + MAX_LAYERS + " nested headers");
            return;
        }
        int fixed = switch (p) {
            case ETHERNET -> Ethernet.LENGTH;
            case VLAN -> Vlan.LENGTH;
            case ARP -> Arp.LENGTH;
            case IPV4 -> Ipv4.MIN_LENGTH;
            case IPV6 -> Ipv6.LENGTH;
            case HOPOPT, DSTOPT, ROUTING, FRAGMENT -> 8;
            case TCP -> Tcp.MIN_LENGTH;
            case UDP -> Udp.LENGTH;
            case ICMP, ICMPV6 -> Icmp.LENGTH;
            case VXLAN -> Vxlan.LENGTH;
            case GENEVE -> Geneve.MIN_LENGTH;
            case GRE -> 4;
            case PAYLOAD -> 0;
        };
        if (left < fixed) {
            malformed(p, off, end, "truncated: " + left + " of " + fixed + " header bytes");
            return;
        }
        switch (p) {
            case ETHERNET -> {
                Ethernet e = new Ethernet(MacAddress.read(b, off), MacAddress.read(b, off + 6), new EtherType(Wire.u16(b, off + 12)));
                out.add(e);
                decode(byEtherType(e.etherType().value()), off + Ethernet.LENGTH, end);
            }
            case VLAN -> {
                int tci = Wire.u16(b, off);
                Vlan v = new Vlan(tci >>> 13, (tci & 0x1000) != 0, tci & 0xfff, new EtherType(Wire.u16(b, off + 2)));
                out.add(v);
                decode(byEtherType(v.etherType().value()), off + Vlan.LENGTH, end);
            }
            case ARP -> decodeArp(off, end);
            case IPV4 -> decodeIpv4(off, end);
            case IPV6 -> {
                long w = Wire.u32(b, off);
                Ipv6 ip = new Ipv6((int) (w >>> 28), (int) (w >>> 22) & 0x3f, (int) (w >>> 20) & 3, (int) (w & 0xfffff),
                        Wire.u16(b, off + 4), new IpProtocol(Wire.u8(b, off + 6)), Wire.u8(b, off + 7),
                        Ipv6Address.read(b, off + 8), Ipv6Address.read(b, off + 24));
                out.add(ip);
                int declared = off + Ipv6.LENGTH + ip.payloadLength();
                within(byIpProtocol(ip.nextHeader().value()), off + Ipv6.LENGTH, declared, end);
            }
            case HOPOPT, DSTOPT, ROUTING -> {
                int len = 8 + 8 * Wire.u8(b, off + 1);
                if (len > left) {
                    malformed(p, off, end, "truncated: header length says " + len + " bytes, " + left + " present");
                    return;
                }
                IpProtocol next = new IpProtocol(Wire.u8(b, off));
                int hl = Wire.u8(b, off + 1);
                out.add(switch (p) {
                    case HOPOPT -> new Ipv6HopByHop(next, hl, Bytes.of(b, off + 2, len - 2));
                    case DSTOPT -> new Ipv6DestinationOptions(next, hl, Bytes.of(b, off + 2, len - 2));
                    default -> new Ipv6Routing(next, hl, Wire.u8(b, off + 2), Wire.u8(b, off + 3), Bytes.of(b, off + 4, len - 4));
                });
                decode(byIpProtocol(next.value()), off + len, end);
            }
            case FRAGMENT -> {
                int w = Wire.u16(b, off + 2);
                Ipv6Fragment f = new Ipv6Fragment(new IpProtocol(Wire.u8(b, off)), Wire.u8(b, off + 1), w >>> 3, (w >>> 1) & 3,
                        (w & 1) != 0, Wire.u32(b, off + 4));
                out.add(f);
                decode(f.fragmentOffset() == 0 ? byIpProtocol(f.nextHeader().value()) : Proto.PAYLOAD, off + 8, end);
            }
            case TCP -> decodeTcp(off, end);
            case UDP -> {
                Udp u = new Udp(Wire.u16(b, off), Wire.u16(b, off + 2), Wire.u16(b, off + 4), Wire.u16(b, off + 6));
                out.add(u);
                Proto next = u.dstPort() == Vxlan.PORT ? Proto.VXLAN : u.dstPort() == Geneve.PORT ? Proto.GENEVE : Proto.PAYLOAD;
                within(next, off + Udp.LENGTH, u.length() >= Udp.LENGTH ? off + u.length() : end, end);
            }
            case ICMP, ICMPV6 -> {
                int type = Wire.u8(b, off);
                int code = Wire.u8(b, off + 1);
                int sum = Wire.u16(b, off + 2);
                out.add(p == Proto.ICMP ? new Icmp(type, code, sum, Wire.u16(b, off + 4), Wire.u16(b, off + 6))
                        : new Icmpv6(type, code, sum, Wire.u16(b, off + 4), Wire.u16(b, off + 6)));
                decode(Proto.PAYLOAD, off + Icmp.LENGTH, end);
            }
            case VXLAN -> {
                long w0 = Wire.u32(b, off);
                long w1 = Wire.u32(b, off + 4);
                out.add(new Vxlan((int) (w0 >>> 24), (int) (w0 & 0xffffff), (int) (w1 >>> 8), (int) (w1 & 0xff)));
                decode(Proto.ETHERNET, off + Vxlan.LENGTH, end);
            }
            case GENEVE -> {
                int optLen = Wire.u8(b, off) & 0x3f;
                int len = Geneve.MIN_LENGTH + 4 * optLen;
                if (len > left) {
                    malformed(p, off, end, "truncated: options length says " + len + " header bytes, " + left + " present");
                    return;
                }
                int f = Wire.u8(b, off + 1);
                long w1 = Wire.u32(b, off + 4);
                Geneve g = new Geneve(Wire.u8(b, off) >>> 6, optLen, (f & 0x80) != 0, (f & 0x40) != 0, f & 0x3f,
                        new EtherType(Wire.u16(b, off + 2)), (int) (w1 >>> 8), (int) (w1 & 0xff), Bytes.of(b, off + 8, len - 8));
                out.add(g);
                decode(byEtherType(g.protocolType().value()), off + len, end);
            }
            case GRE -> decodeGre(off, end);
            default -> throw new IllegalStateException(p.toString());
        }
    }

    /** Decodes {@code p} up to the end a length field declares, if plausible, and keeps the rest as a trailer. */
    private void within(Proto p, int off, int declaredEnd, int end) {
        if (declaredEnd >= off && declaredEnd <= end) {
            decode(p, off, declaredEnd);
            if (declaredEnd < end) {
                out.add(new Trailer(Bytes.of(b, declaredEnd, end - declaredEnd)));
            }
        } else {
            decode(p, off, end);
        }
    }

    private void malformed(Proto p, int off, int end, String reason) {
        out.add(new Malformed(name(p), Bytes.of(b, off, Math.max(0, end - off)), reason));
    }

    private void decodeArp(int off, int end) {
        int hlen = Wire.u8(b, off + 4);
        int plen = Wire.u8(b, off + 5);
        if (hlen != 6 || plen != 4) {
            malformed(Proto.ARP, off, end, "address lengths " + hlen + "/" + plen + ", only Ethernet/IPv4 (6/4) ARP is decoded");
            return;
        }
        out.add(new Arp(Wire.u16(b, off), new EtherType(Wire.u16(b, off + 2)), hlen, plen, Wire.u16(b, off + 6),
                MacAddress.read(b, off + 8), Ipv4Address.read(b, off + 14), MacAddress.read(b, off + 18), Ipv4Address.read(b, off + 24)));
        if (end > off + Arp.LENGTH) { // ARP carries nothing: what follows is Ethernet padding
            out.add(new Trailer(Bytes.of(b, off + Arp.LENGTH, end - off - Arp.LENGTH)));
        }
    }

    private void decodeIpv4(int off, int end) {
        int ihl = Wire.u8(b, off) & 0xf;
        int hlen = ihl * 4;
        int avail = end - off;
        int optEnd = Math.min(Math.max(hlen, Ipv4.MIN_LENGTH), avail);
        int flagsFrag = Wire.u16(b, off + 6);
        Ipv4 ip = new Ipv4(Wire.u8(b, off) >>> 4, ihl, Wire.u8(b, off + 1) >>> 2, Wire.u8(b, off + 1) & 3, Wire.u16(b, off + 2),
                Wire.u16(b, off + 4), (flagsFrag & 0x8000) != 0, (flagsFrag & 0x4000) != 0, (flagsFrag & 0x2000) != 0,
                flagsFrag & 0x1fff, Wire.u8(b, off + 8), new IpProtocol(Wire.u8(b, off + 9)), Wire.u16(b, off + 10),
                Ipv4Address.read(b, off + 12), Ipv4Address.read(b, off + 16), Bytes.of(b, off + Ipv4.MIN_LENGTH, optEnd - Ipv4.MIN_LENGTH));
        out.add(ip);
        if (ihl < 5) {
            malformed(Proto.IPV4, off + Ipv4.MIN_LENGTH, end, "IHL " + ihl + " is less than 5 (20 bytes)");
            return;
        }
        if (hlen > avail) {
            malformed(Proto.IPV4, end, end, "truncated: IHL " + ihl + " says " + hlen + " header bytes, " + avail + " present");
            return;
        }
        Proto next = ip.fragmentOffset() == 0 ? byIpProtocol(ip.protocol().value()) : Proto.PAYLOAD;
        int declared = ip.totalLength() >= hlen ? off + ip.totalLength() : end;
        within(next, off + hlen, declared, end);
    }

    private void decodeTcp(int off, int end) {
        int doff = Wire.u8(b, off + 12) >>> 4;
        int hlen = doff * 4;
        int avail = end - off;
        int optEnd = Math.min(Math.max(hlen, Tcp.MIN_LENGTH), avail);
        int w = Wire.u16(b, off + 12);
        out.add(new Tcp(Wire.u16(b, off), Wire.u16(b, off + 2), Wire.u32(b, off + 4), Wire.u32(b, off + 8), doff,
                new TcpFlags(w & 0xfff), Wire.u16(b, off + 14), Wire.u16(b, off + 16), Wire.u16(b, off + 18),
                Bytes.of(b, off + Tcp.MIN_LENGTH, optEnd - Tcp.MIN_LENGTH)));
        if (doff < 5) {
            malformed(Proto.TCP, off + Tcp.MIN_LENGTH, end, "data offset " + doff + " is less than 5 (20 bytes)");
        } else if (hlen > avail) {
            malformed(Proto.TCP, end, end, "truncated: data offset " + doff + " says " + hlen + " header bytes, " + avail + " present");
        } else {
            decode(Proto.PAYLOAD, off + hlen, end);
        }
    }

    private void decodeGre(int off, int end) {
        int w = Wire.u16(b, off);
        boolean c = (w & 0x8000) != 0;
        boolean k = (w & 0x2000) != 0;
        boolean s = (w & 0x1000) != 0;
        int len = 4 + (c ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0);
        if (len > end - off) {
            malformed(Proto.GRE, off, end, "truncated: flags announce " + len + " header bytes, " + (end - off) + " present");
            return;
        }
        int at = off + 4;
        int sum = c ? Wire.u16(b, at) : 0;
        int res1 = c ? Wire.u16(b, at + 2) : 0;
        at += c ? 4 : 0;
        long key = k ? Wire.u32(b, at) : 0;
        at += k ? 4 : 0;
        long seq = s ? Wire.u32(b, at) : 0;
        int reserved0 = w & 0x4ff8;
        Gre g = new Gre(c, k, s, reserved0, w & 7, new EtherType(Wire.u16(b, off + 2)), sum, res1, key, seq);
        out.add(g);
        decode(byEtherType(g.protocolType().value()), off + len, end);
    }
}

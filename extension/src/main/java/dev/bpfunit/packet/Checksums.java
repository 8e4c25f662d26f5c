package dev.bpfunit.packet;

import java.util.List;

/** The Internet checksum (RFC 1071) and the rules for which bytes each layer's checksum covers. */
final class Checksums {
    private Checksums() {
    }

    static int sum(byte[] b, int off, int len, long initial) {
        long s = initial;
        int i = off;
        for (; i + 1 < off + len; i += 2) {
            s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < off + len) {
            s += (b[i] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static int finish(int sum) {
        return ~sum & 0xffff;
    }

    /** The ones' complement sum of the pseudo-header of {@code ip} (an {@link Ipv4} or {@link Ipv6}). */
    static int pseudoHeader(List<Layer> layers, Layer ip, int upTo, int protocol, int length) {
        if (ip instanceof Ipv4 v4) {
            return pseudoHeader(new Wire().bytes(v4.src().bytes()).bytes(v4.dst().bytes()).toArray(), protocol, length);
        }
        Ipv6 v6 = (Ipv6) ip;
        byte[] dst = v6.dst().bytes();
        for (int j = upTo - 1; j >= 0 && layers.get(j) != ip; j--) {
            if (layers.get(j) instanceof Ipv6Routing r && finalDestination(r) != null) {
                dst = finalDestination(r);
                break;
            }
        }
        return pseudoHeader(new Wire().bytes(v6.src().bytes()).bytes(dst).toArray(), protocol, length);
    }

    /**
     * The final destination a routing header names, which replaces the IPv6 destination in the pseudo-header
     * (RFC 8200 section 8.1), or null when it names none (no segments left, or an unknown routing type).
     */
    static byte[] finalDestination(Ipv6Routing r) {
        byte[] d = r.data().unsafeArray();
        if (r.segmentsLeft() == 0) {
            return null;
        }
        return switch (r.routingType()) {
            case 4, 2 -> d.length >= 20 ? java.util.Arrays.copyOfRange(d, 4, 20) : null; // SRH: Segment List[0]; type 2: home address
            case 0 -> d.length >= 20 && (d.length - 4) % 16 == 0 ? java.util.Arrays.copyOfRange(d, d.length - 16, d.length) : null;
            default -> null;
        };
    }

    /** The ones' complement sum of a pseudo-header made of the source and destination addresses {@code addrs}. */
    static int pseudoHeader(byte[] addrs, int protocol, int length) {
        return sum(addrs, 0, addrs.length, (long) protocol + (length & 0xffff) + (length >>> 16));
    }

    /** Whether {@code layer} has a checksum field at all. */
    static boolean hasChecksum(Layer layer) {
        return layer instanceof Ipv4 || layer instanceof Tcp || layer instanceof Udp || layer instanceof Icmp
                || layer instanceof Icmpv6 || layer instanceof Gre;
    }

    /** The nearest IPv4/IPv6 layer before index {@code i}, or null. */
    static Layer enclosingIp(List<Layer> layers, int i) {
        int j = enclosingIpIndex(layers, i);
        return j < 0 ? null : layers.get(j);
    }

    /** The index of the nearest IPv4/IPv6 layer before index {@code i}, or -1. */
    static int enclosingIpIndex(List<Layer> layers, int i) {
        for (int j = i - 1; j >= 0; j--) {
            if (layers.get(j) instanceof Ipv4 || layers.get(j) instanceof Ipv6) {
                return j;
            }
        }
        return -1;
    }

    /**
     * The right checksum for layer {@code i} whose bytes start at {@code off} in {@code wire} and whose covered
     * segment is {@code segLen} bytes long, or -1 when it cannot be computed (no IP header for a pseudo-header).
     */
    static int compute(List<Layer> layers, int i, byte[] wire, int off, int segLen) {
        Layer layer = layers.get(i);
        byte[] seg = java.util.Arrays.copyOfRange(wire, off, off + segLen);
        int at;
        long initial = 0;
        if (layer instanceof Ipv4) {
            at = 10;
        } else if (layer instanceof Gre) {
            at = 4;
        } else if (layer instanceof Icmp) {
            at = 2;
        } else {
            Layer ip = enclosingIp(layers, i);
            if (ip == null) {
                return -1;
            }
            int proto = layer instanceof Tcp ? 6 : layer instanceof Udp ? 17 : 58;
            initial = pseudoHeader(layers, ip, i, proto, segLen);
            at = layer instanceof Tcp ? 16 : layer instanceof Udp ? 6 : 2;
        }
        seg[at] = 0;
        seg[at + 1] = 0;
        int c = finish(sum(seg, 0, seg.length, initial));
        return layer instanceof Udp && c == 0 ? 0xffff : c;
    }

    static int checksumField(Layer layer) {
        if (layer instanceof Ipv4 l) {
            return l.checksum();
        } else if (layer instanceof Tcp l) {
            return l.checksum();
        } else if (layer instanceof Udp l) {
            return l.checksum();
        } else if (layer instanceof Icmp l) {
            return l.checksum();
        } else if (layer instanceof Icmpv6 l) {
            return l.checksum();
        } else if (layer instanceof Gre l) {
            return l.checksum();
        }
        throw new IllegalArgumentException(layer.name());
    }
}

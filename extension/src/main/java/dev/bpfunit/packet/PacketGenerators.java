package dev.bpfunit.packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Seeded streams of random packets, well formed or deliberately broken, for property tests with {@code @MethodSource}.
 *
 * <pre>{@code
 * static Stream<Packet> dnsQueries() {
 *     return PacketGenerators.ipv4Udp(42, 53).limit(500);
 * }
 *
 * @ParameterizedTest @MethodSource("dnsQueries")
 * void dropsDns(Packet p) { ... }
 * }</pre>
 *
 * <p>The streams are infinite; element {@code i} depends only on the seed and {@code i}, so a failure reproduces.
 * See {@link PacketProperties} to check a property over a stream and get a shrunk counterexample.
 */
public final class PacketGenerators {
    private PacketGenerators() {
    }

    /** Packets built by {@code template} from a {@link Random} seeded per element. */
    public static Stream<Packet> generate(long seed, Function<Random, PacketBuilder> template) {
        return LongStream.iterate(0, i -> i + 1).mapToObj(i -> template.apply(random(seed, i)).build());
    }

    /** Well-formed Ethernet frames: IPv4 or IPv6 carrying UDP, TCP or ICMP, sometimes VLAN-tagged, with options, IPv6 extension headers or a tunnel. */
    public static Stream<Packet> valid(long seed) {
        return generate(seed, PacketGenerators::randomValid);
    }

    /** Well-formed IPv4/UDP frames to {@code dstPort}, with random addresses, source port and payload. */
    public static Stream<Packet> ipv4Udp(long seed, int dstPort) {
        return generate(seed, r -> ipv4(r, randomEthernet(r)).udp().srcPort(r.nextInt(65536)).dstPort(dstPort).payload(payload(r, 64)));
    }

    /**
     * Broken frames a robust program must survive: wrong IPv4/TCP/UDP/ICMP checksums, headers cut short, runt frames,
     * IPv4 IHL or TCP data offset that lie, IP and UDP lengths that lie, a wrong IP version.
     */
    public static Stream<Packet> malformed(long seed) {
        return LongStream.iterate(0, i -> i + 1).mapToObj(i -> {
            Random r = random(seed ^ 0x5deece66dL, i);
            return breakPacket(randomValid(r).build(), r);
        });
    }

    /**
     * {@code packet} broken in one of the ways {@link #malformed(long)} breaks packets, chosen by {@code seed}: the
     * same packet and seed give the same bytes (for property-test libraries that shrink the packet and the seed).
     */
    public static Packet damage(Packet packet, long seed) {
        return breakPacket(packet, random(seed ^ 0x5deece66dL, 0));
    }

    /** The kinds of damage {@link #malformed(long)} applies. */
    enum Damage { CHECKSUM, TRUNCATE, RUNT, HEADER_LENGTH, TOTAL_LENGTH, UDP_LENGTH, VERSION }

    private static Random random(long seed, long index) {
        return new Random(seed * 0x9e3779b97f4a7c15L + index * 0xbf58476d1ce4e5b9L);
    }

    private static PacketBuilder.EthernetBuilder randomEthernet(Random r) {
        return Packets.ethernet().src(mac(r)).dst(mac(r));
    }

    private static MacAddress mac(Random r) {
        return new MacAddress((r.nextLong() & 0xfeff_ffff_ffffL) | 0x0200_0000_0000L); // unicast, locally administered
    }

    private static PacketBuilder.Ipv4Builder ipv4(Random r, PacketBuilder before) {
        PacketBuilder.Ipv4Builder ip = before.ipv4().src(new Ipv4Address(r.nextInt())).dst(new Ipv4Address(r.nextInt()))
                .ttl(1 + r.nextInt(255)).identification(r.nextInt(65536)).dscp(r.nextInt(64)).ecn(r.nextInt(4));
        if (r.nextBoolean()) {
            ip.dontFragment();
        }
        if (r.nextInt(5) == 0) {
            ip.options(new byte[] {1, 1, 1, 0}); // NOP NOP NOP EOL
        }
        return ip;
    }

    private static PacketBuilder.Ipv6Builder ipv6(Random r, PacketBuilder before) {
        PacketBuilder.Ipv6Builder ip = before.ipv6().src(new Ipv6Address(0xfd00_0000_0000_0000L | (r.nextLong() >>> 8), r.nextLong()))
                .dst(new Ipv6Address(0x2001_0db8_0000_0000L | (r.nextLong() >>> 32), r.nextLong()))
                .hopLimit(1 + r.nextInt(255)).flowLabel(r.nextInt(1 << 20)).dscp(r.nextInt(64));
        return ip;
    }

    private static byte[] payload(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    private static PacketBuilder randomValid(Random r) {
        PacketBuilder b = randomEthernet(r);
        if (r.nextInt(4) == 0) {
            b = b.vlan(1 + r.nextInt(4094)).pcp(r.nextInt(8));
        }
        int tunnel = r.nextInt(10);
        boolean v6 = r.nextBoolean();
        b = v6 ? ipv6(r, b) : ipv4(r, b);
        if (tunnel == 0) {
            b = b.udp().srcPort(r.nextInt(65536)).vxlan().vni(r.nextInt(1 << 24)).ethernet().src(mac(r)).dst(mac(r));
            v6 = r.nextBoolean();
            b = v6 ? ipv6(r, b) : ipv4(r, b);
        } else if (tunnel == 1) {
            b = b.gre();
            v6 = r.nextBoolean();
            b = v6 ? ipv6(r, b) : ipv4(r, b);
        } else if (tunnel == 2) {
            v6 = r.nextBoolean();
            b = v6 ? ipv6(r, b) : ipv4(r, b); // IP-in-IP
        }
        if (v6 && r.nextInt(4) == 0) {
            b = r.nextBoolean() ? b.hopByHop().option(5, new byte[] {0, 0}) : b.destinationOptions();
        }
        int l4 = r.nextInt(3);
        if (l4 == 0) {
            b = b.udp().srcPort(r.nextInt(65536)).dstPort(r.nextInt(65536));
        } else if (l4 == 1) {
            PacketBuilder.TcpBuilder t = b.tcp().srcPort(r.nextInt(65536)).dstPort(r.nextInt(65536)).sequence(r.nextInt() & 0xffffffffL)
                    .acknowledgment(r.nextInt() & 0xffffffffL).flags(r.nextInt(256)).window(r.nextInt(65536));
            if (r.nextBoolean()) {
                t.mss(536 + r.nextInt(9000)).sackPermitted().timestamps(r.nextInt() & 0xffffffffL, 0).nop().windowScale(r.nextInt(15));
            }
            b = t;
        } else {
            b = v6 ? b.icmpv6().echoRequest(r.nextInt(65536), r.nextInt(65536)) : b.icmp().echoRequest(r.nextInt(65536), r.nextInt(65536));
        }
        return b.payload(payload(r, 64));
    }

    static Packet breakPacket(Packet p, Random r) {
        byte[] b = p.bytes();
        List<Layer> layers = p.layers();
        List<Integer> ipIdx = new ArrayList<>();
        List<Integer> sumIdx = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Ipv4 || layers.get(i) instanceof Ipv6) {
                ipIdx.add(i);
            }
            if (Checksums.hasChecksum(layers.get(i)) && p.checksumStatus(i) == ChecksumStatus.GOOD) {
                sumIdx.add(i);
            }
        }
        int ip = ipIdx.get(ipIdx.size() - 1);
        int ipOff = p.offsetOf(ip);
        Damage d = Damage.values()[r.nextInt(Damage.values().length)];
        switch (d) {
            case CHECKSUM -> {
                int i = sumIdx.get(r.nextInt(sumIdx.size()));
                Layer l = layers.get(i);
                int at = p.offsetOf(i) + (l instanceof Ipv4 ? 10 : l instanceof Tcp ? 16 : l instanceof Udp ? 6 : l instanceof Gre ? 4 : 2);
                b[at] ^= (byte) (1 + r.nextInt(255));
            }
            case TRUNCATE -> b = java.util.Arrays.copyOf(b, ipOff + r.nextInt(Math.max(1, b.length - ipOff)));
            case RUNT -> b = java.util.Arrays.copyOf(b, r.nextInt(Ethernet.LENGTH));
            case HEADER_LENGTH -> {
                // IPv4: an IHL that lies; IPv6 carries no header length, so the TCP data offset (or the payload length) lies
                int l4 = ip + 1 < layers.size() && layers.get(ip + 1) instanceof Tcp ? ip + 1 : -1;
                if (layers.get(ip) instanceof Ipv4) {
                    b[ipOff] = (byte) ((b[ipOff] & 0xf0) | pickOther(r, b[ipOff] & 0xf));
                } else if (l4 >= 0) {
                    int at = p.offsetOf(l4) + 12;
                    b[at] = (byte) ((b[at] & 0x0f) | pickOther(r, (b[at] & 0xff) >>> 4) << 4);
                } else {
                    b[ipOff + 4] ^= (byte) (1 + r.nextInt(255));
                }
            }
            case TOTAL_LENGTH -> {
                int at = layers.get(ip) instanceof Ipv4 ? ipOff + 2 : ipOff + 4;
                int len = ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
                int lie = r.nextBoolean() ? len + 1 + r.nextInt(1500) : r.nextInt(Math.max(1, len));
                b[at] = (byte) (lie >>> 8);
                b[at + 1] = (byte) lie;
            }
            case UDP_LENGTH -> {
                int u = p.find(Udp.class).map(layers::indexOf).orElse(-1);
                int at = u >= 0 ? p.offsetOf(u) + 4 : ipOff + (layers.get(ip) instanceof Ipv4 ? 2 : 4);
                b[at] ^= (byte) (1 + r.nextInt(255));
            }
            case VERSION -> b[ipOff] = (byte) ((b[ipOff] & 0x0f) | pickOther(r, (b[ipOff] & 0xff) >>> 4) << 4);
        }
        return Packet.parse(b);
    }

    private static int pickOther(Random r, int value) {
        int v = r.nextInt(15);
        return v >= value ? v + 1 : v;
    }
}

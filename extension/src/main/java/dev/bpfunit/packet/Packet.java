package dev.bpfunit.packet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * An immutable packet as a list of layers, outermost first, whose bytes are the layers' encodings in order.
 *
 * <p>Build one with {@link Packets}, or parse bytes with {@link #parse(byte[])}: parsing is lossless
 * ({@code parse(b).bytes()} equals {@code b}) and lenient, so a truncated or lying header still parses
 * as far as it can and the rest becomes a {@link Malformed} or {@link Trailer} layer. Two packets are
 * equal when their layers are.
 */
public final class Packet {
    private final List<Layer> layers;
    private final byte[] bytes;
    private final int[] offsets;

    private Packet(List<Layer> layers) {
        this.layers = List.copyOf(layers);
        this.offsets = new int[this.layers.size() + 1];
        Wire w = new Wire();
        for (int i = 0; i < this.layers.size(); i++) {
            byte[] encoded = this.layers.get(i).encode();
            w.bytes(encoded);
            offsets[i + 1] = offsets[i] + encoded.length;
        }
        this.bytes = w.toArray();
    }

    /** A packet of exactly these layers, encoded as they are (no length or checksum is filled in). */
    public static Packet of(List<? extends Layer> layers) {
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) == null) {
                throw new PacketException("layer " + i + " of the packet is null");
            }
        }
        return new Packet(new ArrayList<>(layers));
    }

    public static Packet of(Layer... layers) {
        return of(Arrays.asList(layers));
    }

    /** Parses an Ethernet frame (without FCS); never throws for malformed bytes. */
    public static Packet parse(byte[] frame) {
        if (frame == null) {
            throw new PacketException("cannot parse a null frame");
        }
        return new Packet(PacketParser.parseEthernet(frame));
    }

    /**
     * Parses an IP packet without link-layer header (IPv6 when the version nibble is 6, else IPv4), as a lightweight
     * tunnel or cgroup program sees it; never throws for malformed bytes.
     */
    public static Packet parseIp(byte[] packet) {
        if (packet == null) {
            throw new PacketException("cannot parse a null packet");
        }
        return new Packet(PacketParser.parseIp(packet));
    }

    public List<Layer> layers() {
        return layers;
    }

    /** A fresh copy of the wire bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The first (outermost) layer of {@code type}, or empty. */
    public <T extends Layer> Optional<T> find(Class<T> type) {
        return layers.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** All layers of {@code type}, outermost first (two for IP-in-IP). */
    public <T extends Layer> List<T> all(Class<T> type) {
        return layers.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The first (outermost) layer of {@code type}; throws naming the layers present when there is none. */
    public <T extends Layer> T layer(Class<T> type) {
        return find(type).orElseThrow(() -> new PacketException("packet has no " + type.getSimpleName() + " layer; layers: " + protocols()));
    }

    /** The last (innermost) layer of {@code type}, for tunnelled packets; throws when there is none. */
    public <T extends Layer> T innermost(Class<T> type) {
        List<T> all = all(type);
        if (all.isEmpty()) {
            throw new PacketException("packet has no " + type.getSimpleName() + " layer; layers: " + protocols());
        }
        return all.get(all.size() - 1);
    }

    public boolean has(Class<? extends Layer> type) {
        return find(type).isPresent();
    }

    public Ethernet ethernet() {
        return layer(Ethernet.class);
    }

    public Vlan vlan() {
        return layer(Vlan.class);
    }

    public Arp arp() {
        return layer(Arp.class);
    }

    public Ipv4 ipv4() {
        return layer(Ipv4.class);
    }

    public Ipv6 ipv6() {
        return layer(Ipv6.class);
    }

    public Tcp tcp() {
        return layer(Tcp.class);
    }

    public Udp udp() {
        return layer(Udp.class);
    }

    public Icmp icmp() {
        return layer(Icmp.class);
    }

    public Icmpv6 icmpv6() {
        return layer(Icmpv6.class);
    }

    public Vxlan vxlan() {
        return layer(Vxlan.class);
    }

    public Geneve geneve() {
        return layer(Geneve.class);
    }

    public Gre gre() {
        return layer(Gre.class);
    }

    /** The data of the innermost {@link Payload} layer, or empty bytes when there is none. */
    public Bytes payload() {
        List<Payload> all = all(Payload.class);
        return all.isEmpty() ? Bytes.empty() : all.get(all.size() - 1).data();
    }

    /** The byte offset of layer {@code index} in {@link #bytes()}. */
    public int offsetOf(int index) {
        checkIndex(index);
        return offsets[index];
    }

    /** Whether the checksum of layer {@code index} matches its bytes (TCP/UDP/ICMPv6 with their pseudo-header). */
    public ChecksumStatus checksumStatus(int index) {
        checkIndex(index);
        Layer layer = layers.get(index);
        if (!Checksums.hasChecksum(layer)) {
            return ChecksumStatus.NOT_APPLICABLE;
        }
        int off = offsets[index];
        int headerLen = offsets[index + 1] - off;
        Layer ip = Checksums.enclosingIp(layers, index);
        int segLen;
        if (layer instanceof Ipv4 v4) {
            if (v4.ihl() * 4 != headerLen) {
                return ChecksumStatus.UNVERIFIABLE;
            }
            segLen = headerLen;
        } else if (layer instanceof Gre g && !g.checksumPresent()) {
            return ChecksumStatus.ABSENT;
        } else if (layer instanceof Udp u) {
            if (u.checksum() == 0 && !(ip instanceof Ipv6)) {
                return ChecksumStatus.ABSENT;
            }
            if (u.length() < Udp.LENGTH || off + u.length() > bytes.length) {
                return ChecksumStatus.UNVERIFIABLE;
            }
            segLen = u.length();
        } else {
            if (ip == null) {
                return ChecksumStatus.UNVERIFIABLE;
            }
            int ipOff = offsetOf(Checksums.enclosingIpIndex(layers, index));
            int ipEnd = ip instanceof Ipv4 v4 ? ipOff + v4.totalLength() : ipOff + Ipv6.LENGTH + ((Ipv6) ip).payloadLength();
            if (ipEnd > bytes.length || ipEnd < off + headerLen) {
                return ChecksumStatus.UNVERIFIABLE;
            }
            segLen = ipEnd - off;
        }
        int right = Checksums.compute(layers, index, bytes, off, segLen);
        if (right < 0) {
            return ChecksumStatus.UNVERIFIABLE;
        }
        return right == Checksums.checksumField(layer) ? ChecksumStatus.GOOD : ChecksumStatus.BAD;
    }

    /** The checksum status of the outermost layer of {@code type}. */
    public ChecksumStatus checksumStatus(Class<? extends Layer> type) {
        return checksumStatus(layers.indexOf(layer(type)));
    }

    /** True when no layer's checksum is {@link ChecksumStatus#BAD} or {@link ChecksumStatus#UNVERIFIABLE}. */
    public boolean checksumsValid() {
        for (int i = 0; i < layers.size(); i++) {
            ChecksumStatus s = checksumStatus(i);
            if (s == ChecksumStatus.BAD || s == ChecksumStatus.UNVERIFIABLE) {
                return false;
            }
        }
        return true;
    }

    /** The protocols of the layers, {@code Ethernet/IPv4/UDP/Payload}. */
    public String protocols() {
        StringJoiner j = new StringJoiner("/");
        layers.forEach(l -> j.add(l.name()));
        return layers.isEmpty() ? "(none)" : j.toString();
    }

    /** One line for a person: {@code Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02 / IPv4 10.0.0.1 > 10.0.0.2 / UDP 1234 > 53 / 5 bytes}. */
    public String summary() {
        StringJoiner j = new StringJoiner(" / ");
        for (Layer l : layers) {
            j.add(summary(l));
        }
        return layers.isEmpty() ? "(empty packet)" : j.toString();
    }

    private static String summary(Layer l) {
        if (l instanceof Ethernet e) {
            return "Ethernet " + e.src() + " > " + e.dst();
        } else if (l instanceof Vlan v) {
            return "VLAN " + v.vid();
        } else if (l instanceof Arp a) {
            return "ARP " + (a.operation() == Arp.REQUEST ? "who-has " + a.targetIp() + " tell " + a.senderIp()
                    : a.operation() == Arp.REPLY ? a.senderIp() + " is-at " + a.senderMac() : "op " + a.operation());
        } else if (l instanceof Ipv4 ip) {
            return "IPv4 " + ip.src() + " > " + ip.dst();
        } else if (l instanceof Ipv6 ip) {
            return "IPv6 " + ip.src() + " > " + ip.dst();
        } else if (l instanceof Tcp t) {
            return "TCP " + t.srcPort() + " > " + t.dstPort() + " [" + t.flags() + "]";
        } else if (l instanceof Udp u) {
            return "UDP " + u.srcPort() + " > " + u.dstPort();
        } else if (l instanceof Icmp i) {
            return "ICMP type " + i.type() + " code " + i.code();
        } else if (l instanceof Icmpv6 i) {
            return "ICMPv6 type " + i.type() + " code " + i.code();
        } else if (l instanceof Vxlan v) {
            return "VXLAN vni " + v.vni();
        } else if (l instanceof Geneve g) {
            return "GENEVE vni " + g.vni();
        } else if (l instanceof Gre g) {
            return "GRE " + g.protocolType();
        } else if (l instanceof Payload p) {
            return p.data().length() + " bytes";
        } else if (l instanceof Trailer t) {
            return "trailer " + t.data().length() + " bytes";
        } else if (l instanceof Malformed m) {
            return "malformed " + m.protocol() + " (" + m.reason() + ")";
        }
        return l.name();
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= layers.size()) {
            throw new PacketException("layer index " + index + " out of range; the packet has " + layers.size() + " layers: " + protocols());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && layers.equals(p.layers);
    }

    @Override
    public int hashCode() {
        return layers.hashCode();
    }

    /** The summary, then one line per layer with every field. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(summary()).append(" (").append(bytes.length).append(" bytes)");
        for (Layer l : layers) {
            sb.append("\n  ").append(l);
        }
        return sb.toString();
    }
}

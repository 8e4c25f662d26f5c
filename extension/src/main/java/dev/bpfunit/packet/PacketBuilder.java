package dev.bpfunit.packet;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One stage of a fluent packet builder: the methods to go to the next layer and to finish, shared by every layer's builder.
 *
 * <p>Start with {@link Packets#ethernet()}. Each method that names a protocol ({@link #ipv4()}, {@link #udp()} ...)
 * appends that layer and returns its builder; {@link #build()} fills in what was not set, innermost layer first.
 */
public abstract class PacketBuilder {
    Draft draft;

    PacketBuilder() {
    }

    /** The shared state of one packet being built. */
    static final class Draft {
        final List<PacketBuilder> stages = new ArrayList<>();
        int truncateTo = -1;
        int padTo = -1;

        <B extends PacketBuilder> B push(B stage) {
            stage.draft = this;
            stages.add(stage);
            return stage;
        }
    }

    /** Builds this stage's layer; {@code tail} holds the bytes of all layers after it, already final. */
    abstract Layer finish(Context ctx);

    /** What an EtherType field before this layer should say, or -1 when this layer has none. */
    int etherTypeForPrevious() {
        return -1;
    }

    /** What an IP protocol field before this layer should say, or -1 when this layer has none. */
    int ipProtocolForPrevious() {
        return -1;
    }

    /** The layers this stage adds beyond its own, placed right after it (an ND body after ICMPv6). */
    List<PacketBuilder> extras() {
        return List.of();
    }

    /** What a stage needs from its neighbours while being finished. */
    record Context(PacketBuilder next, PacketBuilder previous, List<PacketBuilder> stages, int index, byte[] tail) {

        int nextEtherType() {
            int t = next == null ? -1 : next.etherTypeForPrevious();
            return t >= 0 ? t : EtherType.EXPERIMENTAL.value();
        }

        int nextIpProtocol(boolean ipv6) {
            if (next == null) {
                return ipv6 ? IpProtocol.NO_NEXT_HEADER.value() : IpProtocol.EXPERIMENTAL.value();
            }
            int p = next.ipProtocolForPrevious();
            return p >= 0 ? p : IpProtocol.EXPERIMENTAL.value();
        }

        /** The pseudo-header sum from the nearest enclosing IP stage, or -1 when there is none. */
        long pseudoHeader(int protocol, int length) {
            for (int j = index - 1; j >= 0; j--) {
                PacketBuilder s = stages.get(j);
                if (s instanceof Ipv4Builder v4) {
                    return Checksums.pseudoHeader(new Wire().bytes(v4.src.bytes()).bytes(v4.dst.bytes()).toArray(), protocol, length);
                }
                if (s instanceof Ipv6Builder v6) {
                    byte[] dst = v6.dst.bytes();
                    for (int k = j + 1; k < index; k++) {
                        if (stages.get(k) instanceof RoutingBuilder r && Checksums.finalDestination(r.peek()) != null) {
                            dst = Checksums.finalDestination(r.peek());
                        }
                    }
                    return Checksums.pseudoHeader(new Wire().bytes(v6.src.bytes()).bytes(dst).toArray(), protocol, length);
                }
            }
            return -1;
        }

        /** The checksum over {@code header} (its checksum field zero) followed by the tail, or -1 without a needed pseudo-header. */
        int checksum(byte[] header, int protocol, boolean pseudo) {
            byte[] seg = new Wire().bytes(header).bytes(tail).toArray();
            long initial = 0;
            if (pseudo) {
                initial = pseudoHeader(protocol, seg.length);
                if (initial < 0) {
                    return 0;
                }
            }
            return Checksums.finish(Checksums.sum(seg, 0, seg.length, initial));
        }
    }

    // ---- moving to the next layer ----------------------------------------------------------------

    /** Appends an Ethernet header, for example inside VXLAN. */
    public EthernetBuilder ethernet() {
        return draft.push(new EthernetBuilder());
    }

    /** Appends an 802.1Q tag with VLAN id {@code vid}; two in a row make 802.1ad QinQ (outer TPID 0x88a8). */
    public VlanBuilder vlan(int vid) {
        return draft.push(new VlanBuilder()).vid(vid);
    }

    public ArpBuilder arp() {
        return draft.push(new ArpBuilder());
    }

    /** Appends an IPv4 header (10.0.0.1 to 10.0.0.2, TTL 64 unless set); after an IP header this is IP-in-IP. */
    public Ipv4Builder ipv4() {
        return draft.push(new Ipv4Builder());
    }

    /** Appends an IPv6 header (fd00::1 to fd00::2, hop limit 64 unless set). */
    public Ipv6Builder ipv6() {
        return draft.push(new Ipv6Builder());
    }

    public Ipv6OptionsBuilder hopByHop() {
        return draft.push(new Ipv6OptionsBuilder(true));
    }

    public Ipv6OptionsBuilder destinationOptions() {
        return draft.push(new Ipv6OptionsBuilder(false));
    }

    public RoutingBuilder routing() {
        return draft.push(new RoutingBuilder());
    }

    public FragmentBuilder fragment() {
        return draft.push(new FragmentBuilder());
    }

    /** Appends a TCP header (ports 0, no flags, window 65535 unless set). */
    public TcpBuilder tcp() {
        return draft.push(new TcpBuilder());
    }

    /** Appends a UDP header (ports 0 unless set, or the VXLAN/GENEVE port when one follows). */
    public UdpBuilder udp() {
        return draft.push(new UdpBuilder());
    }

    public IcmpBuilder icmp() {
        return draft.push(new IcmpBuilder());
    }

    public Icmpv6Builder icmpv6() {
        return draft.push(new Icmpv6Builder());
    }

    /** Appends a VXLAN header (flags 0x08); follow it with {@link #ethernet()}. The UDP port defaults to 4789. */
    public VxlanBuilder vxlan() {
        return draft.push(new VxlanBuilder());
    }

    /** Appends a GENEVE header; the UDP port defaults to 6081. */
    public GeneveBuilder geneve() {
        return draft.push(new GeneveBuilder());
    }

    public GreBuilder gre() {
        return draft.push(new GreBuilder());
    }

    /** Appends raw payload bytes (an empty payload adds nothing). */
    public PayloadBuilder payload(byte[] data) {
        return draft.push(new PayloadBuilder(Bytes.of(data)));
    }

    /** Appends the UTF-8 bytes of {@code text}. */
    public PayloadBuilder payload(String text) {
        return payload(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends {@code length} bytes counting up from 0 (mod 256): a recognisable filler. */
    public PayloadBuilder payload(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return payload(b);
    }

    // ---- finishing --------------------------------------------------------------------------------

    /** Cuts the finished frame to its first {@code length} bytes (a truncated header or runt frame); the packet is re-parsed. */
    public PacketBuilder truncateTo(int length) {
        if (length < 0) {
            throw new PacketException("truncateTo(" + length + "): length must be >= 0");
        }
        draft.truncateTo = length;
        return this;
    }

    /** Pads the finished frame with zero bytes (a {@link Trailer}) up to {@code length}, as a NIC pads to 60. */
    public PacketBuilder padTo(int length) {
        if (length < 0) {
            throw new PacketException("padTo(" + length + "): length must be >= 0");
        }
        draft.padTo = length;
        return this;
    }

    /** Fills in everything not set, innermost layer first, and returns the packet. */
    public Packet build() {
        List<PacketBuilder> stages = new ArrayList<>();
        for (PacketBuilder s : draft.stages) {
            if (s instanceof PayloadBuilder p && p.data.isEmpty()) {
                continue;
            }
            stages.add(s);
            stages.addAll(s.extras());
        }
        Layer[] layers = new Layer[stages.size()];
        byte[] tail = new byte[0];
        for (int i = stages.size() - 1; i >= 0; i--) {
            Context ctx = new Context(i + 1 < stages.size() ? stages.get(i + 1) : null, i > 0 ? stages.get(i - 1) : null,
                    stages, i, tail);
            layers[i] = stages.get(i).finish(ctx);
            tail = new Wire().bytes(layers[i].encode()).bytes(tail).toArray();
        }
        List<Layer> list = new ArrayList<>(Arrays.asList(layers));
        if (draft.padTo > tail.length) {
            list.add(new Trailer(Bytes.of(new byte[draft.padTo - tail.length])));
        }
        Packet p = Packet.of(list);
        if (draft.truncateTo >= 0 && draft.truncateTo < p.length()) {
            return Packet.parse(Arrays.copyOf(p.bytes(), draft.truncateTo));
        }
        return p;
    }

    /** Shorthand for {@code build().bytes()}. */
    public byte[] bytes() {
        return build().bytes();
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    // ---- the layer builders -------------------------------------------------------------------------

    /** Builds an {@link Ethernet} header. */
    public static final class EthernetBuilder extends PacketBuilder {
        private MacAddress src = MacAddress.of("02:00:00:00:00:01");
        private MacAddress dst = MacAddress.of("02:00:00:00:00:02");
        private Integer etherType;

        public EthernetBuilder src(String mac) {
            return src(MacAddress.of(mac));
        }

        public EthernetBuilder src(MacAddress mac) {
            src = mac;
            return this;
        }

        public EthernetBuilder dst(String mac) {
            return dst(MacAddress.of(mac));
        }

        public EthernetBuilder dst(MacAddress mac) {
            dst = mac;
            return this;
        }

        public EthernetBuilder etherType(int type) {
            etherType = type;
            return this;
        }

        @Override
        int etherTypeForPrevious() {
            return EtherType.TEB.value();
        }

        @Override
        Layer finish(Context ctx) {
            return new Ethernet(dst, src, new EtherType(or(etherType, ctx.nextEtherType())));
        }
    }

    /** Builds a {@link Vlan} tag. */
    public static final class VlanBuilder extends PacketBuilder {
        private int vid;
        private int pcp;
        private boolean dei;
        private Integer tpid;
        private Integer etherType;

        public VlanBuilder vid(int vid) {
            this.vid = vid;
            return this;
        }

        public VlanBuilder pcp(int pcp) {
            this.pcp = pcp;
            return this;
        }

        public VlanBuilder dei(boolean dei) {
            this.dei = dei;
            return this;
        }

        /** The TPID the previous layer announces: 0x8100 (802.1Q) or 0x88a8 (802.1ad); by default 0x88a8 for an outer tag of two. */
        public VlanBuilder tpid(int tpid) {
            this.tpid = tpid;
            return this;
        }

        public VlanBuilder etherType(int type) {
            etherType = type;
            return this;
        }

        @Override
        int etherTypeForPrevious() {
            if (tpid != null) {
                return tpid;
            }
            int i = draft.stages.indexOf(this);
            boolean outer = i + 1 < draft.stages.size() && draft.stages.get(i + 1) instanceof VlanBuilder;
            return outer ? EtherType.QINQ.value() : EtherType.VLAN.value();
        }

        @Override
        Layer finish(Context ctx) {
            return new Vlan(pcp, dei, vid, new EtherType(or(etherType, ctx.nextEtherType())));
        }
    }

    /** Builds an {@link Arp} message (a request unless set). */
    public static final class ArpBuilder extends PacketBuilder {
        private int operation = Arp.REQUEST;
        private MacAddress senderMac = MacAddress.ZERO;
        private Ipv4Address senderIp = Ipv4Address.of("0.0.0.0");
        private MacAddress targetMac = MacAddress.ZERO;
        private Ipv4Address targetIp = Ipv4Address.of("0.0.0.0");
        private int hardwareType = 1;
        private int protocolType = EtherType.IPV4.value();

        public ArpBuilder request() {
            return operation(Arp.REQUEST);
        }

        public ArpBuilder reply() {
            return operation(Arp.REPLY);
        }

        public ArpBuilder operation(int operation) {
            this.operation = operation;
            return this;
        }

        public ArpBuilder sender(String mac, String ip) {
            senderMac = MacAddress.of(mac);
            senderIp = Ipv4Address.of(ip);
            return this;
        }

        public ArpBuilder target(String mac, String ip) {
            targetMac = MacAddress.of(mac);
            targetIp = Ipv4Address.of(ip);
            return this;
        }

        public ArpBuilder hardwareType(int type) {
            hardwareType = type;
            return this;
        }

        public ArpBuilder protocolType(int type) {
            protocolType = type;
            return this;
        }

        @Override
        int etherTypeForPrevious() {
            return EtherType.ARP.value();
        }

        @Override
        Layer finish(Context ctx) {
            return new Arp(hardwareType, new EtherType(protocolType), 6, 4, operation, senderMac, senderIp, targetMac, targetIp);
        }
    }

    /** Builds an {@link Ipv4} header. */
    public static final class Ipv4Builder extends PacketBuilder {
        Ipv4Address src = Ipv4Address.of("10.0.0.1");
        Ipv4Address dst = Ipv4Address.of("10.0.0.2");
        private int ttl = 64;
        private int dscp;
        private int ecn;
        private int identification;
        private boolean reservedFlag;
        private boolean dontFragment;
        private boolean moreFragments;
        private int fragmentOffset;
        private Bytes options = Bytes.empty();
        private int version = 4;
        private Integer protocol;
        private Integer ihl;
        private Integer totalLength;
        private Integer checksum;

        public Ipv4Builder src(String address) {
            return src(Ipv4Address.of(address));
        }

        public Ipv4Builder src(Ipv4Address address) {
            src = address;
            return this;
        }

        public Ipv4Builder dst(String address) {
            return dst(Ipv4Address.of(address));
        }

        public Ipv4Builder dst(Ipv4Address address) {
            dst = address;
            return this;
        }

        public Ipv4Builder ttl(int ttl) {
            this.ttl = ttl;
            return this;
        }

        public Ipv4Builder dscp(int dscp) {
            this.dscp = dscp;
            return this;
        }

        public Ipv4Builder ecn(int ecn) {
            this.ecn = ecn;
            return this;
        }

        public Ipv4Builder identification(int id) {
            identification = id;
            return this;
        }

        public Ipv4Builder dontFragment() {
            dontFragment = true;
            return this;
        }

        public Ipv4Builder moreFragments() {
            moreFragments = true;
            return this;
        }

        /** Sets the reserved ("evil", RFC 3514) flag bit. */
        public Ipv4Builder reservedFlag() {
            reservedFlag = true;
            return this;
        }

        /** The fragment offset in 8-byte units, as on the wire. */
        public Ipv4Builder fragmentOffset(int units) {
            fragmentOffset = units;
            return this;
        }

        /** Raw option bytes; padded with zeros (end of options) to a multiple of 4. */
        public Ipv4Builder options(byte[] raw) {
            int padded = (raw.length + 3) / 4 * 4;
            options = Bytes.of(Arrays.copyOf(raw, padded));
            return this;
        }

        public Ipv4Builder version(int version) {
            this.version = version;
            return this;
        }

        public Ipv4Builder protocol(int protocol) {
            this.protocol = protocol;
            return this;
        }

        /** Overrides the IHL field (by default the true header length / 4). */
        public Ipv4Builder ihl(int ihl) {
            this.ihl = ihl;
            return this;
        }

        /** Overrides the total length field (by default the true length). */
        public Ipv4Builder totalLength(int length) {
            totalLength = length;
            return this;
        }

        /** Overrides the header checksum (by default the right one). */
        public Ipv4Builder checksum(int checksum) {
            this.checksum = checksum;
            return this;
        }

        @Override
        int etherTypeForPrevious() {
            return EtherType.IPV4.value();
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.IPIP.value();
        }

        @Override
        Layer finish(Context ctx) {
            int hlen = Ipv4.MIN_LENGTH + options.length();
            Ipv4 ip = new Ipv4(version, or(ihl, hlen / 4), dscp, ecn, or(totalLength, hlen + ctx.tail().length), identification,
                    reservedFlag, dontFragment, moreFragments, fragmentOffset, ttl, new IpProtocol(or(protocol, ctx.nextIpProtocol(false))),
                    0, src, dst, options);
            if (checksum != null) {
                return withChecksum(ip, checksum);
            }
            byte[] h = ip.encode();
            return withChecksum(ip, Checksums.finish(Checksums.sum(h, 0, h.length, 0)));
        }

        private static Ipv4 withChecksum(Ipv4 ip, int checksum) {
            return new Ipv4(ip.version(), ip.ihl(), ip.dscp(), ip.ecn(), ip.totalLength(), ip.identification(), ip.reservedFlag(),
                    ip.dontFragment(), ip.moreFragments(), ip.fragmentOffset(), ip.ttl(), ip.protocol(), checksum, ip.src(), ip.dst(),
                    ip.options());
        }
    }

    /** Builds an {@link Ipv6} header. */
    public static final class Ipv6Builder extends PacketBuilder {
        Ipv6Address src = Ipv6Address.of("fd00::1");
        Ipv6Address dst = Ipv6Address.of("fd00::2");
        private int hopLimit = 64;
        private int dscp;
        private int ecn;
        private int flowLabel;
        private int version = 6;
        private Integer nextHeader;
        private Integer payloadLength;

        public Ipv6Builder src(String address) {
            return src(Ipv6Address.of(address));
        }

        public Ipv6Builder src(Ipv6Address address) {
            src = address;
            return this;
        }

        public Ipv6Builder dst(String address) {
            return dst(Ipv6Address.of(address));
        }

        public Ipv6Builder dst(Ipv6Address address) {
            dst = address;
            return this;
        }

        public Ipv6Builder hopLimit(int hopLimit) {
            this.hopLimit = hopLimit;
            return this;
        }

        public Ipv6Builder dscp(int dscp) {
            this.dscp = dscp;
            return this;
        }

        public Ipv6Builder ecn(int ecn) {
            this.ecn = ecn;
            return this;
        }

        public Ipv6Builder flowLabel(int label) {
            flowLabel = label;
            return this;
        }

        public Ipv6Builder version(int version) {
            this.version = version;
            return this;
        }

        public Ipv6Builder nextHeader(int nextHeader) {
            this.nextHeader = nextHeader;
            return this;
        }

        /** Overrides the payload length field (by default the true length). */
        public Ipv6Builder payloadLength(int length) {
            payloadLength = length;
            return this;
        }

        @Override
        int etherTypeForPrevious() {
            return EtherType.IPV6.value();
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.IPV6.value();
        }

        @Override
        Layer finish(Context ctx) {
            return new Ipv6(version, dscp, ecn, flowLabel, or(payloadLength, ctx.tail().length),
                    new IpProtocol(or(nextHeader, ctx.nextIpProtocol(true))), hopLimit, src, dst);
        }
    }

    /** Builds an {@link Ipv6HopByHop} or {@link Ipv6DestinationOptions} header. */
    public static final class Ipv6OptionsBuilder extends PacketBuilder {
        private final boolean hopByHop;
        private Bytes options = Bytes.empty();
        private Integer nextHeader;
        private Integer headerLength;

        Ipv6OptionsBuilder(boolean hopByHop) {
            this.hopByHop = hopByHop;
        }

        /** Adds one option TLV (type, length, data); PadN padding to a multiple of 8 is added at build. */
        public Ipv6OptionsBuilder option(int type, byte[] data) {
            options = Bytes.of(new Wire().bytes(options).u8(type).u8(data.length).bytes(data).toArray());
            return this;
        }

        /** Raw option bytes, used as given (no padding): for malformed headers. */
        public Ipv6OptionsBuilder rawOptions(byte[] raw) {
            options = Bytes.of(raw);
            headerLength = headerLength == null ? Math.max(0, (raw.length + 2) / 8 - 1) : headerLength;
            return this;
        }

        public Ipv6OptionsBuilder nextHeader(int nextHeader) {
            this.nextHeader = nextHeader;
            return this;
        }

        /** Overrides the Hdr Ext Len field. */
        public Ipv6OptionsBuilder headerLength(int length) {
            headerLength = length;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return hopByHop ? IpProtocol.HOP_BY_HOP.value() : IpProtocol.DESTINATION_OPTIONS.value();
        }

        @Override
        Layer finish(Context ctx) {
            Bytes opts = options;
            int total = 2 + opts.length();
            int pad = (8 - total % 8) % 8;
            if (headerLength == null || pad > 0) {
                Wire w = new Wire().bytes(opts);
                if (pad == 1) {
                    w.u8(0); // Pad1
                } else if (pad > 1) {
                    w.u8(1).u8(pad - 2).bytes(new byte[pad - 2]); // PadN
                }
                opts = Bytes.of(w.toArray());
            }
            int hl = or(headerLength, (2 + opts.length()) / 8 - 1);
            IpProtocol next = new IpProtocol(or(nextHeader, ctx.nextIpProtocol(true)));
            return hopByHop ? new Ipv6HopByHop(next, hl, opts) : new Ipv6DestinationOptions(next, hl, opts);
        }
    }

    /** Builds an {@link Ipv6Routing} header (segment routing when given {@link #segments(String...)}). */
    public static final class RoutingBuilder extends PacketBuilder {
        private int routingType = 4;
        private Integer segmentsLeft;
        private Bytes data = Bytes.of(new byte[4]);
        private int segmentCount;
        private Integer nextHeader;
        private Integer headerLength;

        /** A segment routing header (type 4) with these segments in list order (Segment List[0] first). */
        public RoutingBuilder segments(String... addresses) {
            Wire w = new Wire().u8(Math.max(0, addresses.length - 1)).u8(0).u16(0);
            for (String a : addresses) {
                w.bytes(Ipv6Address.of(a).bytes());
            }
            data = Bytes.of(w.toArray());
            segmentCount = addresses.length;
            routingType = 4;
            return this;
        }

        public RoutingBuilder routingType(int type) {
            routingType = type;
            return this;
        }

        public RoutingBuilder segmentsLeft(int left) {
            segmentsLeft = left;
            return this;
        }

        /** The raw type-specific data after the segments-left field (4 + 8n bytes when well formed). */
        public RoutingBuilder data(byte[] raw) {
            data = Bytes.of(raw);
            return this;
        }

        public RoutingBuilder nextHeader(int nextHeader) {
            this.nextHeader = nextHeader;
            return this;
        }

        public RoutingBuilder headerLength(int length) {
            headerLength = length;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.ROUTING.value();
        }

        /** The header as it will be, but for the next header field. */
        Ipv6Routing peek() {
            return new Ipv6Routing(IpProtocol.NO_NEXT_HEADER, or(headerLength, (4 + data.length() + 7) / 8 - 1), routingType,
                    or(segmentsLeft, Math.max(0, segmentCount - 1)), data);
        }

        @Override
        Layer finish(Context ctx) {
            Ipv6Routing r = peek();
            return new Ipv6Routing(new IpProtocol(or(nextHeader, ctx.nextIpProtocol(true))), r.headerLength(), r.routingType(),
                    r.segmentsLeft(), r.data());
        }
    }

    /** Builds an {@link Ipv6Fragment} header. */
    public static final class FragmentBuilder extends PacketBuilder {
        private int offset;
        private boolean more;
        private long identification;
        private Integer nextHeader;

        /** The fragment offset in 8-byte units. */
        public FragmentBuilder offset(int units) {
            offset = units;
            return this;
        }

        public FragmentBuilder moreFragments() {
            more = true;
            return this;
        }

        public FragmentBuilder identification(long id) {
            identification = id;
            return this;
        }

        public FragmentBuilder nextHeader(int nextHeader) {
            this.nextHeader = nextHeader;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.FRAGMENT.value();
        }

        @Override
        Layer finish(Context ctx) {
            return new Ipv6Fragment(new IpProtocol(or(nextHeader, ctx.nextIpProtocol(true))), 0, offset, 0, more, identification);
        }
    }

    /** Builds a {@link Tcp} header with its options. */
    public static final class TcpBuilder extends PacketBuilder {
        private int srcPort;
        private int dstPort;
        private long sequence;
        private long acknowledgment;
        private int flags;
        private int window = 65535;
        private int urgentPointer;
        private final Wire options = new Wire();
        private Bytes rawOptions;
        private Integer dataOffset;
        private Integer checksum;

        public TcpBuilder srcPort(int port) {
            srcPort = port;
            return this;
        }

        public TcpBuilder dstPort(int port) {
            dstPort = port;
            return this;
        }

        public TcpBuilder sequence(long seq) {
            sequence = seq;
            return this;
        }

        public TcpBuilder acknowledgment(long ack) {
            acknowledgment = ack;
            return this;
        }

        /** Flags by name: {@code "SYN|ACK"}. */
        public TcpBuilder flags(String names) {
            flags = TcpFlags.of(names).bits();
            return this;
        }

        /** Flag bits, see the constants of {@link TcpFlags}. */
        public TcpBuilder flags(int bits) {
            flags = bits;
            return this;
        }

        public TcpBuilder window(int window) {
            this.window = window;
            return this;
        }

        public TcpBuilder urgentPointer(int pointer) {
            urgentPointer = pointer;
            return this;
        }

        public TcpBuilder mss(int mss) {
            return option(new TcpOption(TcpOption.MSS, Bytes.of(new Wire().u16(mss).toArray())));
        }

        public TcpBuilder windowScale(int shift) {
            return option(new TcpOption(TcpOption.WINDOW_SCALE, Bytes.of((byte) shift)));
        }

        public TcpBuilder sackPermitted() {
            return option(new TcpOption(TcpOption.SACK_PERMITTED, Bytes.empty()));
        }

        public TcpBuilder timestamps(long value, long echoReply) {
            return option(new TcpOption(TcpOption.TIMESTAMPS, Bytes.of(new Wire().u32(value).u32(echoReply).toArray())));
        }

        public TcpBuilder nop() {
            return option(new TcpOption(TcpOption.NOP, Bytes.empty()));
        }

        /** Any option; options are padded with zeros (end of option list) to a multiple of 4 at build. */
        public TcpBuilder option(TcpOption option) {
            options.bytes(option.encode());
            return this;
        }

        /** Raw option bytes used as given (no padding), replacing the options added one by one. */
        public TcpBuilder rawOptions(byte[] raw) {
            rawOptions = Bytes.of(raw);
            return this;
        }

        /** Overrides the data offset field (by default the true header length / 4). */
        public TcpBuilder dataOffset(int words) {
            dataOffset = words;
            return this;
        }

        /** Overrides the checksum (by default the right one, with the IPv4/IPv6 pseudo-header). */
        public TcpBuilder checksum(int checksum) {
            this.checksum = checksum;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.TCP.value();
        }

        @Override
        Layer finish(Context ctx) {
            Bytes opts = rawOptions;
            if (opts == null) {
                byte[] o = options.toArray();
                opts = Bytes.of(Arrays.copyOf(o, (o.length + 3) / 4 * 4));
            }
            int doff = or(dataOffset, (Tcp.MIN_LENGTH + opts.length()) / 4);
            Tcp t = new Tcp(srcPort, dstPort, sequence, acknowledgment, doff, new TcpFlags(flags), window, 0, urgentPointer, opts);
            int sum = checksum != null ? checksum : ctx.checksum(t.encode(), IpProtocol.TCP.value(), true);
            return new Tcp(srcPort, dstPort, sequence, acknowledgment, doff, new TcpFlags(flags), window, sum, urgentPointer, opts);
        }
    }

    /** Builds a {@link Udp} header. */
    public static final class UdpBuilder extends PacketBuilder {
        private int srcPort;
        private Integer dstPort;
        private Integer length;
        private Integer checksum;

        public UdpBuilder srcPort(int port) {
            srcPort = port;
            return this;
        }

        public UdpBuilder dstPort(int port) {
            dstPort = port;
            return this;
        }

        /** Overrides the length field (by default the true length). */
        public UdpBuilder length(int length) {
            this.length = length;
            return this;
        }

        /** Overrides the checksum (by default the right one, with the IPv4/IPv6 pseudo-header). */
        public UdpBuilder checksum(int checksum) {
            this.checksum = checksum;
            return this;
        }

        /** Sends no checksum (0), allowed over IPv4. */
        public UdpBuilder noChecksum() {
            return checksum(0);
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.UDP.value();
        }

        @Override
        Layer finish(Context ctx) {
            int dport = dstPort != null ? dstPort
                    : ctx.next() instanceof VxlanBuilder ? Vxlan.PORT : ctx.next() instanceof GeneveBuilder ? Geneve.PORT : 0;
            int len = or(length, Udp.LENGTH + ctx.tail().length);
            if (checksum != null) {
                return new Udp(srcPort, dport, len, checksum);
            }
            int sum = ctx.checksum(new Udp(srcPort, dport, len, 0).encode(), IpProtocol.UDP.value(), true);
            return new Udp(srcPort, dport, len, sum == 0 ? 0xffff : sum);
        }
    }

    /** Builds an {@link Icmp} header (an echo request unless set). */
    public static final class IcmpBuilder extends PacketBuilder {
        int type = 8;
        int code;
        int identifier;
        int sequence;
        Integer checksum;

        public IcmpBuilder echoRequest(int identifier, int sequence) {
            return type(8).identifier(identifier).sequence(sequence);
        }

        public IcmpBuilder echoReply(int identifier, int sequence) {
            return type(0).identifier(identifier).sequence(sequence);
        }

        public IcmpBuilder type(int type) {
            this.type = type;
            return this;
        }

        public IcmpBuilder code(int code) {
            this.code = code;
            return this;
        }

        public IcmpBuilder identifier(int id) {
            identifier = id;
            return this;
        }

        public IcmpBuilder sequence(int seq) {
            sequence = seq;
            return this;
        }

        /** Overrides the checksum (by default the right one). */
        public IcmpBuilder checksum(int checksum) {
            this.checksum = checksum;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.ICMP.value();
        }

        @Override
        Layer finish(Context ctx) {
            int sum = checksum != null ? checksum : ctx.checksum(new Icmp(type, code, 0, identifier, sequence).encode(), 0, false);
            return new Icmp(type, code, sum, identifier, sequence);
        }
    }

    /** Builds an {@link Icmpv6} header, with the neighbour discovery body when asked for (an echo request unless set). */
    public static final class Icmpv6Builder extends PacketBuilder {
        private int type = 128;
        private int code;
        private int identifier;
        private int sequence;
        private Integer checksum;
        private Bytes body = Bytes.empty();

        public Icmpv6Builder echoRequest(int identifier, int sequence) {
            return type(128).identifier(identifier).sequence(sequence);
        }

        public Icmpv6Builder echoReply(int identifier, int sequence) {
            return type(129).identifier(identifier).sequence(sequence);
        }

        /** A neighbour solicitation (type 135) for {@code target}; add {@link #sourceLinkLayer(String)} as needed. */
        public Icmpv6Builder neighborSolicitation(String target) {
            type(135).identifier(0).sequence(0);
            body = Bytes.of(Ipv6Address.of(target).bytes());
            return this;
        }

        /** A neighbour advertisement (type 136) for {@code target} with the R, S and O flags. */
        public Icmpv6Builder neighborAdvertisement(String target, boolean router, boolean solicited, boolean override) {
            type(136).identifier((router ? 0x8000 : 0) | (solicited ? 0x4000 : 0) | (override ? 0x2000 : 0)).sequence(0);
            body = Bytes.of(Ipv6Address.of(target).bytes());
            return this;
        }

        /** A router solicitation (type 133). */
        public Icmpv6Builder routerSolicitation() {
            type(133).identifier(0).sequence(0);
            body = Bytes.empty();
            return this;
        }

        /** Appends a source link-layer address option (ND option 1). */
        public Icmpv6Builder sourceLinkLayer(String mac) {
            body = Bytes.of(new Wire().bytes(body).u8(1).u8(1).bytes(MacAddress.of(mac).bytes()).toArray());
            return this;
        }

        /** Appends a target link-layer address option (ND option 2). */
        public Icmpv6Builder targetLinkLayer(String mac) {
            body = Bytes.of(new Wire().bytes(body).u8(2).u8(1).bytes(MacAddress.of(mac).bytes()).toArray());
            return this;
        }

        public Icmpv6Builder type(int type) {
            this.type = type;
            return this;
        }

        public Icmpv6Builder code(int code) {
            this.code = code;
            return this;
        }

        public Icmpv6Builder identifier(int id) {
            identifier = id;
            return this;
        }

        public Icmpv6Builder sequence(int seq) {
            sequence = seq;
            return this;
        }

        /** Overrides the checksum (by default the right one, with the IPv6 pseudo-header). */
        public Icmpv6Builder checksum(int checksum) {
            this.checksum = checksum;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.ICMPV6.value();
        }

        @Override
        List<PacketBuilder> extras() {
            if (body.isEmpty()) {
                return List.of();
            }
            PayloadBuilder p = new PayloadBuilder(body);
            p.draft = draft;
            return List.of(p);
        }

        @Override
        Layer finish(Context ctx) {
            int sum = checksum != null ? checksum
                    : ctx.checksum(new Icmpv6(type, code, 0, identifier, sequence).encode(), IpProtocol.ICMPV6.value(), true);
            return new Icmpv6(type, code, sum, identifier, sequence);
        }
    }

    /** Builds a {@link Vxlan} header. */
    public static final class VxlanBuilder extends PacketBuilder {
        private int vni;
        private int flags = 0x08;

        public VxlanBuilder vni(int vni) {
            this.vni = vni;
            return this;
        }

        public VxlanBuilder flags(int flags) {
            this.flags = flags;
            return this;
        }

        @Override
        Layer finish(Context ctx) {
            return new Vxlan(flags, 0, vni, 0);
        }
    }

    /** Builds a {@link Geneve} header. */
    public static final class GeneveBuilder extends PacketBuilder {
        private int vni;
        private boolean oam;
        private boolean critical;
        private Bytes options = Bytes.empty();
        private Integer optionsLength;
        private Integer protocolType;

        public GeneveBuilder vni(int vni) {
            this.vni = vni;
            return this;
        }

        public GeneveBuilder oam() {
            oam = true;
            return this;
        }

        public GeneveBuilder critical() {
            critical = true;
            return this;
        }

        /** Raw option bytes (TLVs), padded with zeros to a multiple of 4. */
        public GeneveBuilder options(byte[] raw) {
            options = Bytes.of(Arrays.copyOf(raw, (raw.length + 3) / 4 * 4));
            return this;
        }

        /** Overrides the Opt Len field (4-byte units). */
        public GeneveBuilder optionsLength(int words) {
            optionsLength = words;
            return this;
        }

        public GeneveBuilder protocolType(int type) {
            protocolType = type;
            return this;
        }

        @Override
        Layer finish(Context ctx) {
            return new Geneve(0, or(optionsLength, options.length() / 4), oam, critical, 0,
                    new EtherType(or(protocolType, ctx.nextEtherType())), vni, 0, options);
        }
    }

    /** Builds a {@link Gre} header. */
    public static final class GreBuilder extends PacketBuilder {
        private Long key;
        private Long sequence;
        private boolean withChecksum;
        private Integer checksum;
        private Integer protocolType;
        private int version;

        public GreBuilder key(long key) {
            this.key = key;
            return this;
        }

        public GreBuilder sequence(long sequence) {
            this.sequence = sequence;
            return this;
        }

        /** Includes a checksum field, computed over the GRE header and payload. */
        public GreBuilder withChecksum() {
            withChecksum = true;
            return this;
        }

        /** Includes a checksum field with this value. */
        public GreBuilder checksum(int checksum) {
            withChecksum = true;
            this.checksum = checksum;
            return this;
        }

        public GreBuilder protocolType(int type) {
            protocolType = type;
            return this;
        }

        public GreBuilder version(int version) {
            this.version = version;
            return this;
        }

        @Override
        int ipProtocolForPrevious() {
            return IpProtocol.GRE.value();
        }

        @Override
        Layer finish(Context ctx) {
            EtherType proto = new EtherType(or(protocolType, ctx.nextEtherType()));
            long k = key == null ? 0 : key;
            long s = sequence == null ? 0 : sequence;
            Gre g = new Gre(withChecksum, key != null, sequence != null, 0, version, proto, 0, 0, k, s);
            int sum = !withChecksum ? 0 : checksum != null ? checksum : ctx.checksum(g.encode(), 0, false);
            return new Gre(withChecksum, key != null, sequence != null, 0, version, proto, sum, 0, k, s);
        }
    }

    /** Holds raw payload bytes; go on with {@link #build()}. */
    public static final class PayloadBuilder extends PacketBuilder {
        private final Bytes data;

        PayloadBuilder(Bytes data) {
            this.data = data;
        }

        @Override
        Layer finish(Context ctx) {
            return new Payload(data);
        }
    }
}

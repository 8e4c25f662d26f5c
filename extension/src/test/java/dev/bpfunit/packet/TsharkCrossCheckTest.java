package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks built packets against an independent decoder, tshark (Debian package {@code tshark}), with checksum
 * validation on, and checks that the reader reads what tshark, editcap and mergecap write.
 */
class TsharkCrossCheckTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void requireTshark() {
        for (String tool : List.of("tshark", "editcap", "mergecap", "text2pcap")) {
            if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                fail(tool + " is not installed; this test needs Wireshark's command-line tools: apt-get install tshark");
            }
        }
    }

    /** One checked field: the tshark field name and how to get the expected values (one per occurrence) from a packet. */
    private record Field(String name, Function<Packet, List<?>> expected) {
    }

    private static <T extends Layer> Field field(String name, Class<T> type, Function<T, Object> value) {
        return new Field(name, p -> p.all(type).stream().map(value).toList());
    }

    private static final List<Field> FIELDS = List.of(
            field("eth.src", Ethernet.class, Ethernet::src),
            field("eth.dst", Ethernet.class, Ethernet::dst),
            new Field("vlan.id", p -> p.all(Vlan.class).stream().filter(v -> tpidOf(p, v) == 0x8100).map(Vlan::vid).toList()),
            new Field("ieee8021ad.id", p -> p.all(Vlan.class).stream().filter(v -> tpidOf(p, v) == 0x88a8).map(Vlan::vid).toList()),
            new Field("vlan.priority", p -> p.all(Vlan.class).stream().filter(v -> tpidOf(p, v) == 0x8100).map(Vlan::pcp).toList()),
            field("arp.opcode", Arp.class, Arp::operation),
            field("arp.src.hw_mac", Arp.class, Arp::senderMac),
            field("arp.src.proto_ipv4", Arp.class, Arp::senderIp),
            field("arp.dst.proto_ipv4", Arp.class, Arp::targetIp),
            field("ip.src", Ipv4.class, Ipv4::src),
            field("ip.dst", Ipv4.class, Ipv4::dst),
            field("ip.ttl", Ipv4.class, Ipv4::ttl),
            field("ip.len", Ipv4.class, Ipv4::totalLength),
            field("ip.hdr_len", Ipv4.class, ip -> ip.ihl() * 4),
            field("ip.id", Ipv4.class, Ipv4::identification),
            field("ip.proto", Ipv4.class, ip -> ip.protocol().value()),
            field("ip.dsfield.dscp", Ipv4.class, Ipv4::dscp),
            field("ip.dsfield.ecn", Ipv4.class, Ipv4::ecn),
            field("ip.flags.df", Ipv4.class, ip -> ip.dontFragment() ? 1 : 0),
            field("ip.checksum.status", Ipv4.class, ip -> 1),
            field("ipv6.src", Ipv6.class, Ipv6::src),
            field("ipv6.dst", Ipv6.class, Ipv6::dst),
            field("ipv6.hlim", Ipv6.class, Ipv6::hopLimit),
            field("ipv6.plen", Ipv6.class, Ipv6::payloadLength),
            field("ipv6.flow", Ipv6.class, Ipv6::flowLabel),
            field("ipv6.tclass.dscp", Ipv6.class, Ipv6::dscp),
            field("ipv6.fraghdr.ident", Ipv6Fragment.class, Ipv6Fragment::identification),
            field("ipv6.routing.segleft", Ipv6Routing.class, Ipv6Routing::segmentsLeft),
            field("tcp.srcport", Tcp.class, Tcp::srcPort),
            field("tcp.dstport", Tcp.class, Tcp::dstPort),
            field("tcp.seq_raw", Tcp.class, Tcp::sequence),
            field("tcp.ack_raw", Tcp.class, Tcp::acknowledgment),
            field("tcp.flags", Tcp.class, t -> t.flags().bits()),
            field("tcp.window_size_value", Tcp.class, Tcp::window),
            field("tcp.hdr_len", Tcp.class, t -> t.dataOffset() * 4),
            new Field("tcp.options.mss_val", p -> options(p, TcpOption.MSS, d -> Wire.u16(d, 0))),
            new Field("tcp.options.wscale.shift", p -> options(p, TcpOption.WINDOW_SCALE, d -> Wire.u8(d, 0))),
            new Field("tcp.options.timestamp.tsval", p -> options(p, TcpOption.TIMESTAMPS, d -> Wire.u32(d, 0))),
            new Field("tcp.checksum.status", p -> p.all(Tcp.class).stream().map(x -> l4Status(p)).toList()),
            field("udp.srcport", Udp.class, Udp::srcPort),
            field("udp.dstport", Udp.class, Udp::dstPort),
            field("udp.length", Udp.class, Udp::length),
            new Field("udp.checksum.status", p -> p.all(Udp.class).stream().map(x -> l4Status(p)).toList()),
            field("icmp.type", Icmp.class, Icmp::type),
            field("icmp.code", Icmp.class, Icmp::code),
            new Field("icmp.checksum.status", p -> p.all(Icmp.class).stream().map(x -> l4Status(p)).toList()),
            field("icmpv6.type", Icmpv6.class, Icmpv6::type),
            field("icmpv6.code", Icmpv6.class, Icmpv6::code),
            new Field("icmpv6.checksum.status", p -> p.all(Icmpv6.class).stream().map(x -> l4Status(p)).toList()),
            field("vxlan.vni", Vxlan.class, Vxlan::vni),
            field("geneve.vni", Geneve.class, Geneve::vni),
            field("geneve.proto_type", Geneve.class, g -> g.protocolType().value()),
            field("gre.proto", Gre.class, g -> g.protocolType().value()),
            new Field("gre.key", p -> p.all(Gre.class).stream().filter(Gre::keyPresent).map(Gre::key).toList()),
            new Field("gre.checksum.status", p -> p.all(Gre.class).stream().filter(Gre::checksumPresent).map(g -> 1).toList()));

    /** tshark leaves a transport checksum unverified (2) in a fragment: it covers the whole datagram. */
    private static int l4Status(Packet p) {
        boolean fragment = p.all(Ipv4.class).stream().anyMatch(Ipv4::moreFragments)
                || p.all(Ipv6Fragment.class).stream().anyMatch(Ipv6Fragment::moreFragments);
        return fragment ? 2 : 1;
    }

    private static int tpidOf(Packet p, Vlan v) {
        int i = p.layers().indexOf(v);
        Layer before = p.layers().get(i - 1);
        return before instanceof Ethernet e ? e.etherType().value() : ((Vlan) before).etherType().value();
    }

    private static List<Object> options(Packet p, int kind, Function<byte[], Object> value) {
        return p.all(Tcp.class).stream().flatMap(t -> t.optionList().stream()).filter(o -> o.kind() == kind)
                .map(o -> value.apply(o.data().toArray())).toList();
    }

    /** One packet of every protocol and option the builder offers. */
    static List<Packet> everyProtocol() {
        return List.of(
                Packets.ethernet().src("02:00:00:00:00:01").dst("02:00:00:00:00:02").ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(17)
                        .dscp(46).ecn(1).identification(0x1234).dontFragment().udp().srcPort(40000).dstPort(40001).payload("hello").build(),
                Packets.ethernet().vlan(100).pcp(5).ipv4().options(new byte[] {1, 1, 1, 1, 1, 1, 1, 0}).tcp().srcPort(1000).dstPort(2000)
                        .sequence(0xfffffff0L).acknowledgment(77).flags("SYN|ACK").window(1024).mss(1460).sackPermitted()
                        .timestamps(123456, 0).nop().windowScale(7).build(),
                Packets.ethernet().vlan(10).vlan(20).ipv6().src("2001:db8::1").dst("2001:db8::2").hopLimit(3).flowLabel(0xabcde).dscp(10)
                        .tcp().srcPort(22).dstPort(50000).flags("PSH|ACK").payload(100).build(),
                Packets.ethernet().arp().request().sender("02:00:00:00:00:01", "10.0.0.1").target("00:00:00:00:00:00", "10.0.0.9").build(),
                Packets.ethernet().arp().reply().sender("02:00:00:00:00:09", "10.0.0.9").target("02:00:00:00:00:01", "10.0.0.1").padTo(60).build(),
                Packets.ethernet().ipv4().icmp().echoRequest(7, 1).payload(56).build(),
                Packets.ethernet().ipv4().icmp().echoReply(7, 1).payload(56).build(),
                Packets.ethernet().ipv6().icmpv6().echoRequest(9, 2).payload(32).build(),
                Packets.ethernet().ipv6().dst("ff02::1:ff00:2").hopLimit(255).icmpv6().neighborSolicitation("fd00::2")
                        .sourceLinkLayer("02:00:00:00:00:01").build(),
                Packets.ethernet().ipv6().dst("fd00::1").hopLimit(255).icmpv6().neighborAdvertisement("fd00::2", false, true, true)
                        .targetLinkLayer("02:00:00:00:00:02").build(),
                Packets.ethernet().ipv6().icmpv6().routerSolicitation().build(),
                Packets.ethernet().ipv6().hopByHop().option(5, new byte[] {0, 0}).routing().segments("fd00::10", "fd00::11")
                        .fragment().identification(0xcafe).destinationOptions().udp().srcPort(5000).dstPort(5001).payload(9).build(),
                Packets.ethernet().ipv6().fragment().identification(1).moreFragments().udp().srcPort(5000).dstPort(5001).payload(16).build(),
                Packets.ethernet().ipv4().moreFragments().identification(99).udp().srcPort(5000).dstPort(5001).payload(16).build(),
                Packets.ethernet().ipv4().src("192.0.2.1").dst("192.0.2.2").udp().srcPort(33333).vxlan().vni(4242).ethernet()
                        .src("02:00:00:00:00:aa").dst("02:00:00:00:00:bb").ipv4().src("10.1.0.1").dst("10.1.0.2").tcp().srcPort(80)
                        .dstPort(8080).flags("FIN|ACK").build(),
                Packets.ethernet().ipv6().udp().srcPort(33334).geneve().vni(77).ethernet().ipv6().udp().srcPort(1).dstPort(2).payload(4).build(),
                Packets.ethernet().ipv4().udp().srcPort(33335).geneve().vni(0xffffff).ipv4().icmp().echoRequest(1, 1).build(),
                Packets.ethernet().ipv4().gre().ipv4().udp().srcPort(7).dstPort(9).payload(3).build(),
                Packets.ethernet().ipv4().gre().key(0xdeadbeefL).sequence(5).withChecksum().ethernet().ipv6().icmpv6().echoReply(1, 1).build(),
                Packets.ethernet().ipv6().gre().key(1).ipv6().tcp().srcPort(1).dstPort(2).flags("RST").build(),
                Packets.ethernet().ipv4().src("198.51.100.1").dst("198.51.100.2").ipv4().src("10.2.0.1").dst("10.2.0.2").udp().srcPort(11)
                        .dstPort(12).payload(7).build(),
                Packets.ethernet().ipv4().ipv6().tcp().srcPort(3).dstPort(4).flags("URG|ACK").urgentPointer(1).payload(2).build(),
                Packets.ethernet().ipv6().ipv4().udp().srcPort(3).dstPort(4).build(),
                Packets.ethernet().ipv6().ipv6().icmpv6().echoRequest(3, 4).build());
    }

    @Test
    void tsharkDecodesEveryBuiltProtocolWithTheSameFieldsAndGoodChecksums() throws Exception {
        List<Packet> packets = new ArrayList<>(everyProtocol());
        packets.addAll(PacketGenerators.valid(7).limit(300).toList());
        List<Map<String, String>> decoded = tshark(packets);
        assertThat(decoded).hasSize(packets.size());
        int checked = 0;
        for (int i = 0; i < packets.size(); i++) {
            Packet p = packets.get(i);
            Map<String, String> row = decoded.get(i);
            for (Field f : FIELDS) {
                List<String> expected = f.expected().apply(p).stream().map(TsharkCrossCheckTest::normalize).toList();
                List<String> actual = row.get(f.name()).isEmpty() ? List.of()
                        : Stream.of(row.get(f.name()).split(",")).map(TsharkCrossCheckTest::normalize).toList();
                assertThat(actual).as("frame %d field %s of %s", i + 1, f.name(), p).isEqualTo(expected);
                checked += expected.size();
            }
            if (i < everyProtocol().size()) {
                assertThat(row.get("_ws.malformed")).as("frame %d: %s", i + 1, p).isEmpty();
                assertThat(row.get("_ws.expert.message")).as("frame %d: %s", i + 1, p).doesNotContainIgnoringCase("checksum");
            }
        }
        assertThat(checked).isGreaterThan(5000);
    }

    @Test
    void tsharkSeesTheChecksumsWeBreakAsBad() throws Exception {
        List<Packet> broken = List.of(
                Packets.ethernet().ipv4().checksum(0x1234).udp().srcPort(1).dstPort(2).build(),
                Packets.ethernet().ipv4().udp().srcPort(1).dstPort(2).checksum(0xdead).payload(3).build(),
                Packets.ethernet().ipv6().tcp().srcPort(1).dstPort(2).checksum(0xbeef).build(),
                Packets.ethernet().ipv4().icmp().checksum(1).build(),
                Packets.ethernet().ipv6().icmpv6().checksum(2).build());
        List<Map<String, String>> rows = tshark(broken);
        List<String> statuses = new ArrayList<>();
        for (Map<String, String> row : rows) {
            statuses.add(Stream.of("ip.checksum.status", "udp.checksum.status", "tcp.checksum.status", "icmp.checksum.status",
                    "icmpv6.checksum.status").map(row::get).collect(Collectors.joining("/")));
        }
        // tshark: 0 = bad, 1 = good
        assertThat(statuses).containsExactly("0/1///", "1/0///", "//0//", "1///0/", "////0");
        assertThat(broken).allMatch(p -> !p.checksumsValid());
    }

    @Test
    void readsWhatWiresharkToolsWrite() throws Exception {
        List<Packet> packets = everyProtocol();
        Path ours = PcapWriter.write(dir.resolve("ours.pcap"), packets);
        Path ng = dir.resolve("tshark.pcapng");
        run("tshark", "-r", ours.toString(), "-F", "pcapng", "-w", ng.toString());
        Path micro = dir.resolve("editcap-micro.pcap");
        run("editcap", "-F", "pcap", ours.toString(), micro.toString());
        Path nano = dir.resolve("editcap-nano.pcap");
        run("editcap", "-F", "nsecpcap", ours.toString(), nano.toString());
        for (Path file : List.of(ng, micro, nano)) {
            List<PcapPacket> read = PcapReader.read(file);
            assertThat(read).as("%s", file).extracting(PcapPacket::packet).containsExactlyElementsOf(packets);
            assertThat(read).as("%s", file).extracting(PcapPacket::timestampNanos)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, packets.size()).map(i -> i * 1_000_000L).boxed().toList());
        }

        // text2pcap: a frame from a hex dump, with a known timestamp
        Path dump = dir.resolve("frame.txt");
        Files.writeString(dump, "12:34:56.789 \n000000 " + Bytes.of(packets.get(0).bytes()).hex().replaceAll("(..)", "$1 ") + "\n");
        Path t2p = dir.resolve("text2pcap.pcap");
        run("text2pcap", "-q", "-F", "pcap", "-t", "%H:%M:%S.", dump.toString(), t2p.toString());
        assertThat(PcapReader.read(t2p)).singleElement().extracting(PcapPacket::packet).isEqualTo(packets.get(0));

        // mergecap keeps two Ethernet interfaces apart in pcapng
        Path other = PcapWriter.write(dir.resolve("other.pcap"), List.of(packets.get(1)));
        Path merged = dir.resolve("merged.pcapng");
        run("editcap", "-s", "100", other.toString(), dir.resolve("other-snap.pcap").toString());
        run("mergecap", "-F", "pcapng", "-I", "none", "-w", merged.toString(), ours.toString(), dir.resolve("other-snap.pcap").toString());
        List<PcapPacket> both = PcapReader.read(merged);
        assertThat(both).hasSize(packets.size() + 1);
        assertThat(both).extracting(PcapPacket::interfaceIndex).containsOnly(0, 1).contains(1);

        // an interface with another link type is refused, naming it
        Path raw = dir.resolve("raw.pcap");
        Files.writeString(dir.resolve("raw.txt"), "000000 45 00 00 14 00 00 00 00 40 fd 00 00 0a 00 00 01 0a 00 00 02\n");
        run("text2pcap", "-q", "-F", "pcap", "-l", "101", dir.resolve("raw.txt").toString(), raw.toString());
        Path mixed = dir.resolve("mixed.pcapng");
        run("mergecap", "-F", "pcapng", "-w", mixed.toString(), ours.toString(), raw.toString());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PcapReader.read(mixed)).isInstanceOf(PacketException.class)
                .hasMessageContaining(mixed.toString()).hasMessageContaining("link type 101 RAW")
                .hasMessageContaining("Ethernet (link type 1) captures only");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PcapReader.read(raw))
                .hasMessageContaining("the capture has link type 101 RAW");
    }

    private static String normalize(Object value) {
        String s = String.valueOf(value);
        if (s.matches("0x[0-9a-fA-F]+")) {
            return Long.toString(Long.parseLong(s.substring(2), 16));
        }
        return s.equals("True") ? "1" : s.equals("False") ? "0" : s;
    }

    private static List<Map<String, String>> tshark(List<Packet> packets) throws Exception {
        Path pcap = PcapWriter.write(dir.resolve("built-" + System.nanoTime() + ".pcap"), packets);
        List<String> names = new ArrayList<>(FIELDS.stream().map(Field::name).toList());
        names.add("_ws.malformed");
        names.add("_ws.expert.message");
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-o", "ip.check_checksum:TRUE",
                "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "occurrence=a",
                "-E", "aggregator=,", "-E", "separator=/t"));
        for (String n : names) {
            cmd.add("-e");
            cmd.add(n);
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : run(cmd.toArray(String[]::new)).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                row.put(names.get(i), i < cells.length ? cells[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 120 s");
        }
        assertThat(p.exitValue()).as("exit status of %s", String.join(" ", cmd)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}

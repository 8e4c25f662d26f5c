package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Resources;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapReaderTest {
    @TempDir
    Path dir;

    private static final byte[] FRAME_A = Packets.ethernet().ipv4().udp().srcPort(1).dstPort(2).payload(5).bytes();
    private static final byte[] FRAME_B = Packets.ethernet().ipv6().tcp().flags("SYN").bytes();

    @ParameterizedTest
    @CsvSource({"MICROSECONDS, LITTLE_ENDIAN", "MICROSECONDS, BIG_ENDIAN", "NANOSECONDS, LITTLE_ENDIAN", "NANOSECONDS, BIG_ENDIAN"})
    void classicPcapRoundTripsInEveryPrecisionAndByteOrder(PcapWriter.Precision precision, String order) throws Exception {
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Path file = dir.resolve("x.pcap");
        long t1 = 1_700_000_000_123_456_789L;
        try (PcapWriter w = PcapWriter.open(file, precision, bo)) {
            w.write(t1, FRAME_A).write(t1 + 1_000, FRAME_B);
        }
        byte[] raw = Files.readAllBytes(file);
        int magic = ByteBuffer.wrap(raw).order(bo).getInt();
        assertThat(magic).isEqualTo(precision == PcapWriter.Precision.NANOSECONDS ? 0xa1b23c4d : 0xa1b2c3d4);
        List<PcapPacket> read = PcapReader.read(file);
        long expect1 = precision == PcapWriter.Precision.NANOSECONDS ? t1 : t1 / 1000 * 1000;
        assertThat(read).extracting(PcapPacket::timestampNanos).containsExactly(expect1, expect1 + 1_000);
        assertThat(read.get(0).bytes()).isEqualTo(FRAME_A);
        assertThat(read.get(1).packet()).isEqualTo(Packet.parse(FRAME_B));
        assertThat(read.get(0).originalLength()).isEqualTo(FRAME_A.length);
        assertThat(read.get(0).timestamp()).hasToString(precision == PcapWriter.Precision.NANOSECONDS
                ? "2023-11-14T22:13:20.123456789Z" : "2023-11-14T22:13:20.123456Z");
    }

    /** Builds pcapng blocks in either byte order. */
    private static final class Ng {
        final ByteOrder order;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Ng(ByteOrder order) {
            this.order = order;
        }

        Ng block(int type, byte[] body) {
            int padded = (body.length + 3) & ~3;
            ByteBuffer b = ByteBuffer.allocate(12 + padded).order(order);
            b.putInt(type).putInt(12 + padded).put(body).position(8 + padded);
            b.putInt(12 + padded);
            out.writeBytes(b.array());
            return this;
        }

        Ng shb() {
            return block(0x0a0d0d0a, ByteBuffer.allocate(16).order(order).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0)
                    .putLong(-1).array());
        }

        Ng idb(int linkType, byte[] tsresol, long tsoffset) {
            ByteBuffer b = ByteBuffer.allocate(8 + 8 + 12 + 4).order(order);
            b.putShort((short) linkType).putShort((short) 0).putInt(65535);
            if (tsresol != null) {
                b.putShort((short) 9).putShort((short) 1).put(tsresol[0]).put(new byte[3]);
            }
            if (tsoffset != 0) {
                b.putShort((short) 14).putShort((short) 8).putLong(tsoffset);
            }
            b.putShort((short) 0).putShort((short) 0);
            return block(1, Arrays.copyOf(b.array(), b.position()));
        }

        Ng epb(int iface, long ts, byte[] frame) {
            ByteBuffer b = ByteBuffer.allocate(20 + ((frame.length + 3) & ~3)).order(order);
            b.putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(frame.length).putInt(frame.length + 4).put(frame);
            return block(6, b.array());
        }

        Ng spb(byte[] frame) {
            ByteBuffer b = ByteBuffer.allocate(4 + ((frame.length + 3) & ~3)).order(order);
            b.putInt(frame.length).put(frame);
            return block(3, b.array());
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    @ParameterizedTest
    @CsvSource({"BIG_ENDIAN", "LITTLE_ENDIAN"})
    void pcapngWithSeveralInterfacesResolutionsAndSections(String order) {
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] file = new Ng(bo).shb()
                .idb(1, null, 0) // microseconds by default
                .idb(1, new byte[] {9}, 0) // nanoseconds
                .block(4, new byte[8]) // a name resolution block, skipped
                .epb(0, 1_500_000L, FRAME_A)
                .epb(1, 2_000_000_007L, FRAME_B)
                .shb() // a second section, in the same order here, with its own interfaces
                .idb(1, new byte[] {(byte) 0x8a}, 100) // 2^-10 s units, offset 100 s
                .epb(0, 1024 * 3 + 512, FRAME_A)
                .spb(FRAME_B)
                .bytes();
        List<PcapPacket> read = PcapReader.read(file, "test.pcapng");
        assertThat(read).extracting(PcapPacket::timestampNanos).containsExactly(1_500_000_000L, 2_000_000_007L, 103_500_000_000L, 0L);
        assertThat(read).extracting(PcapPacket::interfaceIndex).containsExactly(0, 1, 2, 2);
        assertThat(read).extracting(PcapPacket::data).containsExactly(Bytes.of(FRAME_A), Bytes.of(FRAME_B), Bytes.of(FRAME_A), Bytes.of(FRAME_B));
        assertThat(read.get(0).originalLength()).isEqualTo(FRAME_A.length + 4);
        assertThat(read.get(0).truncated()).isTrue();
    }

    @Test
    void nonEthernetInterfacesAreRefusedByName() {
        byte[] file = new Ng(ByteOrder.LITTLE_ENDIAN).shb().idb(1, null, 0).idb(276, null, 0).epb(0, 0, FRAME_A).bytes();
        assertThatThrownBy(() -> PcapReader.read(file, "two.pcapng")).isInstanceOf(PacketException.class)
                .hasMessageStartingWith("two.pcapng: pcapng interface 1 (block at offset 52) has link type 276 LINUX_SLL2");
    }

    @Test
    void brokenFilesGetClearErrors() throws Exception {
        assertThatThrownBy(() -> PcapReader.read(new byte[] {1, 2}, "tiny")).hasMessage("tiny: not a pcap or pcapng file (only 2 bytes)");
        assertThatThrownBy(() -> PcapReader.read("GIF89a....".getBytes(), "pic.gif"))
                .hasMessageStartingWith("pic.gif: not a pcap or pcapng file: magic 0x47494638");
        assertThatThrownBy(() -> PcapReader.read(dir.resolve("absent.pcap"))).hasMessageEndingWith("absent.pcap does not exist");

        Path file = PcapWriter.write(dir.resolve("cut.pcap"), List.of(Packet.parse(FRAME_A), Packet.parse(FRAME_B)));
        byte[] all = Files.readAllBytes(file);
        assertThatThrownBy(() -> PcapReader.read(Arrays.copyOf(all, all.length - 3), "cut.pcap"))
                .hasMessage("cut.pcap: record 1 at offset " + (24 + 16 + FRAME_A.length) + " says " + FRAME_B.length
                        + " captured bytes but " + (FRAME_B.length - 3) + " are left (truncated capture?)");
        assertThatThrownBy(() -> PcapReader.read(Arrays.copyOf(all, 30), "hdr.pcap"))
                .hasMessage("hdr.pcap: record 0 at offset 24 is truncated: 6 of 16 header bytes");

        byte[] ng = new Ng(ByteOrder.BIG_ENDIAN).shb().idb(1, null, 0).epb(3, 0, FRAME_A).bytes();
        assertThatThrownBy(() -> PcapReader.read(ng, "ng")).hasMessageContaining("refers to interface 3, but its section describes 1 interface(s)");
        assertThatThrownBy(() -> PcapReader.read(Arrays.copyOf(ng, ng.length - 8), "ng"))
                .hasMessageContaining("(truncated capture?)");
    }

    @Test
    @ResourceLock(Resources.SYSTEM_PROPERTIES)   // sets where PcapDumps writes, for the JVM
    void failureDumpsGoUnderTargetBpfunit() throws Exception {
        String old = System.getProperty(PcapDumps.DIRECTORY_PROPERTY);
        System.setProperty(PcapDumps.DIRECTORY_PROPERTY, dir.resolve("target/bpfunit").toString());
        try {
            Packet in = Packet.parse(FRAME_A);
            Path saved = PcapDumps.save("XdpTest.drops(Packet) [1]", List.of(in, in));
            assertThat(saved).isEqualTo(dir.resolve("target/bpfunit/XdpTest.drops_Packet_1_.pcap"));
            assertThat(PcapReader.read(saved)).extracting(PcapPacket::packet).containsExactly(in, in);
        } finally {
            if (old == null) {
                System.clearProperty(PcapDumps.DIRECTORY_PROPERTY);
            } else {
                System.setProperty(PcapDumps.DIRECTORY_PROPERTY, old);
            }
        }
        assertThat(PcapDumps.directory()).isEqualTo(Path.of("target/bpfunit").toAbsolutePath());
    }

    @Test
    void verdictTableReplaysACapture() {
        List<PcapPacket> capture = PcapReader.read(getClass().getResourceAsStream("captures/dns.pcap"), "dns.pcap");
        VerdictTable<String> table = VerdictTable.replay(capture, p -> p.has(Ipv6.class) ? "XDP_PASS" : "XDP_DROP");
        assertThat(table.verdicts()).containsExactly("XDP_DROP", "XDP_PASS", "XDP_DROP");
        assertThat(table.counts()).containsExactly(java.util.Map.entry("XDP_DROP", 2L), java.util.Map.entry("XDP_PASS", 1L));
        assertThat(table.withVerdict("XDP_PASS")).singleElement().extracting(VerdictTable.Row::index).isEqualTo(1);
        assertThat(table.toString()).contains("#1    XDP_PASS  Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02 / IPv6 fd00::1 > fd00::53");
    }
}

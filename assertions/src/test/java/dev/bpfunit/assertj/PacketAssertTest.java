package dev.bpfunit.assertj;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.TestRun;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketBuilder;
import dev.bpfunit.packet.Packets;
import dev.bpfunit.packet.PcapDumps;
import dev.bpfunit.packet.PcapPacket;
import dev.bpfunit.packet.PcapReader;
import dev.bpfunit.spec.ProgramType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PacketAssertTest {

    @TempDir
    static Path dumps;
    static String previous;

    /** What a router-like tc program does: MACs swapped, TTL one lower, checksums right. */
    static final Packet IN = udp("02:00:00:00:00:01", "02:00:00:00:00:02", 64).build();
    static final Packet OUT = udp("02:00:00:00:00:02", "02:00:00:00:00:01", 63).build();
    static final Pattern SAVED = Pattern.compile("the packets are saved in (\\S+\\.pcap) \\(([^)]*)\\); open it with "
            + "Wireshark$");

    static PacketBuilder udp(String src, String dst, int ttl) {
        return Packets.ethernet().src(src).dst(dst).ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(ttl)
                .identification(7).udp().srcPort(4000).dstPort(53).payload("hello");
    }

    static TestRun run(Packet in, byte[] out) {
        return new TestRun(0, in.bytes(), out, new byte[0], 30, 1, ProgramType.SCHED_CLS);
    }

    @BeforeAll
    static void dumpIntoATemporaryDirectory() {
        previous = System.setProperty(PcapDumps.DIRECTORY_PROPERTY, dumps.toString());
    }

    @AfterAll
    static void restore() {
        if (previous == null) {
            System.clearProperty(PcapDumps.DIRECTORY_PROPERTY);
        } else {
            System.setProperty(PcapDumps.DIRECTORY_PROPERTY, previous);
        }
    }

    /** The pcap file a failure message names, read back: its frames must be {@code frames}, labeled {@code labels}. */
    static Path savedPackets(Throwable failure, String labels, Packet... frames) {
        Matcher m = SAVED.matcher(failure.getMessage());
        assertThat(m.find()).as("the message names the saved pcap: %s", failure.getMessage()).isTrue();
        Path file = Path.of(m.group(1));
        assertThat(file).exists().hasParent(dumps);
        assertThat(m.group(2)).isEqualTo(labels);
        assertThat(PcapReader.read(file)).extracting(PcapPacket::packet).containsExactly(frames);
        return file;
    }

    @Test
    void headersOfTheOutputPacketByLayer() {
        TestRun r = run(IN, OUT.bytes());
        assertThat(r).hasOutputPacket(OUT).outputPacket()
                .hasProtocols("Ethernet/IPv4/UDP/Payload").hasLength(OUT.length()).hasValidChecksums()
                .hasPayload("hello".getBytes())
                .ethernet().hasSource("02:00:00:00:00:02").hasDestination("02:00:00:00:00:01").hasEtherType(0x0800)
                .ipv4().hasSource("10.0.0.1").hasDestination("10.0.0.2").hasTtl(63).hasProtocol(17)
                .hasIdentification(7).hasTotalLength(20 + 8 + 5).hasValidChecksum()
                .udp().hasSourcePort(4000).hasDestinationPort(53).hasLength(13).hasValidChecksum()
                .and().isEqualTo(OUT);
        assertThat(Packets.ethernet().ipv6().src("fd00::1").dst("fd00::2").hopLimit(9).tcp().srcPort(1).dstPort(2)
                .flags("SYN|ACK").sequence(10).window(512).build())
                .ipv6().hasSource("fd00::1").hasDestination("fd00::2").hasHopLimit(9).hasNextHeader(6)
                .tcp().hasFlags("ack syn").hasSequence(10).hasWindow(512).hasDestinationPort(2).hasValidChecksum();
    }

    @Test
    void aDifferentOutputPacketShowsTheFieldsAndIsSaved() {
        Packet wrong = udp("02:00:00:00:00:02", "02:00:00:00:00:01", 64).build();
        TestRun r = run(IN, wrong.bytes());
        AssertionError e = catchFailure(() -> assertThat(r).hasOutputPacket(OUT));
        Path file = savedPackets(e, "1: input, 2: output, 3: expected", IN, wrong, OUT);
        assertThat(file.getFileName().toString())
                .isEqualTo("PacketAssertTest.aDifferentOutputPacketShowsTheFieldsAndIsSaved.pcap");
        assertThat(e).hasMessage(String.join("\n",
                "",
                "Expecting the output packet to equal the expected packet, but:",
                "packets differ in 2 fields (expected vs actual):",
                "  layer    field     expected  actual",
                "  IPv4 #1  ttl       63        64",
                "  IPv4 #1  checksum  " + String.format("0x%04x", OUT.ipv4().checksum()) + "    "
                        + String.format("0x%04x", wrong.ipv4().checksum()),
                "  expected: " + OUT.summary() + " (47 bytes)",
                "  actual:   " + wrong.summary() + " (47 bytes)",
                "  the packets are saved in " + file + " (1: input, 2: output, 3: expected); open it with Wireshark"));
    }

    @Test
    void aHeaderFieldFailureNamesTheLayerAndSavesInputAndOutput() {
        TestRun r = run(IN, OUT.bytes());
        AssertionError e = catchFailure(() -> assertThat(r).outputPacket().ipv4().hasTtl(63).hasDestination("10.0.0.3"));
        Path file = savedPackets(e, "1: input, 2: output", IN, OUT);
        assertThat(e).hasMessage(String.join("\n",
                "",
                "Expecting the output packet's IPv4 layer (#1) to have destination 10.0.0.3, but it has 10.0.0.2",
                "  packet: " + OUT.summary() + " (47 bytes)",
                "  the packets are saved in " + file + " (1: input, 2: output); open it with Wireshark"));
        // a second failure in the same test gets its own file
        AssertionError again = catchFailure(() -> assertThat(r).outputPacket().udp().hasDestinationPort(54));
        Path second = savedPackets(again, "1: input, 2: output", IN, OUT);
        assertThat(second.getFileName().toString())
                .isEqualTo("PacketAssertTest.aHeaderFieldFailureNamesTheLayerAndSavesInputAndOutput-2.pcap");
        assertThat(again).hasMessageStartingWith("\nExpecting the output packet's UDP layer (#2) to have destination "
                + "port 54, but it has 53\n");
        assertThat(catchFailure(() -> assertThat(r).outputPacket().ethernet().hasSource("02:00:00:00:00:01")))
                .hasMessageStartingWith("\nExpecting the output packet's Ethernet layer (#0) to have source MAC "
                        + "02:00:00:00:00:01, but it has 02:00:00:00:00:02\n");
    }

    @Test
    void aMissingLayerOrAWrongPacketPropertyFails() {
        AssertionError e = catchFailure(() -> assertThat(OUT).tcp());
        savedPackets(e, "1: actual", OUT);
        assertThat(e).hasMessageStartingWith("\nExpecting the packet to have a TCP layer, but it is\n  "
                + OUT.summary() + " (47 bytes)\n");
        assertThat(catchFailure(() -> assertThat(OUT).ipv6())).hasMessageContaining("to have an IPv6 layer");
        assertThat(catchFailure(() -> assertThat(OUT).hasProtocols("Ethernet/IPv4/TCP")))
                .hasMessageStartingWith("\nExpecting the packet to have protocols Ethernet/IPv4/TCP, but it has "
                        + "Ethernet/IPv4/UDP/Payload\n");
        assertThat(catchFailure(() -> assertThat(OUT).hasLength(60)))
                .hasMessageStartingWith("\nExpecting the packet to have length 60 bytes, but it has 47 bytes\n");
        assertThat(catchFailure(() -> assertThat(OUT).hasPayload("hellO".getBytes())))
                .hasMessageStartingWith("\nExpecting the packet to have payload 68 65 6c 6c 4f (5 bytes), but it has "
                        + "68 65 6c 6c 6f (5 bytes)\n");
    }

    @Test
    void wrongChecksumsAreFound() {
        Packet bad = Packets.ethernet().ipv4().src("10.0.0.1").dst("10.0.0.2").checksum(0x1234).udp().srcPort(1)
                .dstPort(2).checksum(0x4321).payload(4).build();
        assertThat(catchFailure(() -> assertThat(bad).hasValidChecksums())).hasMessageStartingWith(String.join("\n",
                "",
                "Expecting the packet to have valid checksums, but:",
                "  IPv4 #1: checksum is wrong",
                "  UDP #2: checksum is wrong",
                "  packet: "));
        assertThat(catchFailure(() -> assertThat(bad).ipv4().hasValidChecksum())).hasMessageStartingWith(
                "\nExpecting the packet's IPv4 layer (#1) to have checksum valid, but it has BAD (field 0x1234)\n");
        Packet cut = Packet.parse(java.util.Arrays.copyOf(OUT.bytes(), OUT.length() - 2));
        assertThat(catchFailure(() -> assertThat(cut).udp().hasValidChecksum())).hasMessageContaining(
                "to have checksum valid, but it has UNVERIFIABLE (the bytes it covers are not all there)");
        // no UDP checksum sent over IPv4 is valid
        assertThat(Packets.ethernet().ipv4().udp().checksum(0).payload(3).build()).hasValidChecksums().udp()
                .hasValidChecksum();
    }

    @Test
    void outputDataThatIsAPacketIsDiffedByLayer() {
        Packet wrong = udp("02:00:00:00:00:02", "02:00:00:00:00:01", 64).build();
        TestRun r = run(IN, wrong.bytes());
        AssertionError e = catchFailure(() -> assertThat(r).hasDataOut(OUT.bytes()));
        Path file = savedPackets(e, "1: input, 2: output, 3: expected", IN, wrong, OUT);
        assertThat(e).hasMessage(String.join("\n",
                "",
                "Expecting the output data to be as expected, but:",
                "packets differ in 2 fields (expected vs actual):",
                "  layer    field     expected  actual",
                "  IPv4 #1  ttl       63        64",
                "  IPv4 #1  checksum  " + String.format("0x%04x", OUT.ipv4().checksum()) + "    "
                        + String.format("0x%04x", wrong.ipv4().checksum()),
                "  (first differing byte at offset 22 (0x0016))",
                "  the packets are saved in " + file + " (1: input, 2: output, 3: expected); open it with Wireshark"));
        AssertionError unchanged = catchFailure(() -> assertThat(r).hasDataUnchanged());
        savedPackets(unchanged, "1: input, 2: output", IN, wrong);
        // the input and this output differ only in their MAC addresses
        assertThat(unchanged).hasMessageContaining("packets differ in 2 fields")
                .hasMessageContaining("Ethernet #0  dst    02:00:00:00:00:02  02:00:00:00:00:01")
                .hasMessageContaining("Ethernet #0  src    02:00:00:00:00:01  02:00:00:00:00:02");
    }

    @Test
    void outputDataThatIsNoPacketGetsTheHexDiff() {
        TestRun r = new TestRun(0, new byte[20], new byte[21], new byte[0], 1, 1, ProgramType.XDP);
        assertThat(catchFailure(() -> assertThat(r).hasDataUnchanged()))
                .hasMessageContaining("first difference at offset 20 (0x0014); expected 20 bytes, actual 21 bytes")
                .hasMessageNotContaining("saved");
    }

    @Test
    void badArgumentsAreIllegalArgumentsNotFailures() {
        assertThatThrownBy(() -> assertThat(OUT).ipv4().hasDestination("10.0.0.300"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an IPv4 address: '10.0.0.300'");
        assertThatThrownBy(() -> assertThat(OUT).ethernet().hasSource("02:00"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> assertThat(OUT).isEqualTo((Packet) null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void softAssertionsCollectPacketFailures() {
        BpfSoftAssertions softly = new BpfSoftAssertions();
        softly.assertThat(OUT).hasLength(1);
        softly.assertThat(OUT).hasProtocols("Ethernet");
        // a header's failure goes through the (proxied) packet assertion, so it is collected too
        softly.assertThat(OUT).ipv4().hasTtl(1).hasValidChecksum();
        assertThat(softly.errorsCollected()).hasSize(3);
        assertThat(softly.errorsCollected().get(2)).hasMessageContaining("IPv4 layer (#1) to have ttl 1, but it has 63");
    }

    static AssertionError catchFailure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(t).isInstanceOf(AssertionError.class);
        return (AssertionError) t;
    }

    @Test
    void savedFilesAreUnderTheDumpDirectory() throws Exception {
        catchFailure(() -> assertThat(OUT).hasLength(2));
        try (var files = Files.list(dumps)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .contains("PacketAssertTest.savedFilesAreUnderTheDumpDirectory.pcap");
        }
    }
}

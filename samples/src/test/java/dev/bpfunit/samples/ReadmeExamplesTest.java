package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.GlobalVariable;
import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.VerifierException;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketDiff;
import dev.bpfunit.packet.Packets;
import dev.bpfunit.spec.ProgramType;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The code the README shows, between {@code // snippet:NAME} and {@code // end:NAME} markers.
 * {@link ReadmeSnippetsTest} checks that the README holds exactly these lines.
 */
class ReadmeExamplesTest {

    @Test
    void loading() {
        Path path = Samples.object("xdp_fw");
        // snippet:load
        try (BpfObject obj = BpfObject.load(path)) {
            BpfProgram fw = obj.program("xdp_fw");
            BpfMap blocklist = obj.map("blocklist");
            assertThat(fw.type()).isEqualTo(ProgramType.XDP);
            assertThat(blocklist.keys()).isEmpty();
        }
        // end:load
    }

    @Test
    void loaderOptions() {
        Path path = Samples.object("xdp_fw");
        // snippet:loader
        try (BpfObject obj = BpfObject.loader(path)
                .global("blocked_port", (short) 53)   // .rodata/.data/.bss before load; the size is checked
                .maxEntries("blocklist", 64)           // for a map defined without max_entries, or to resize
                .logLevel(2)                           // the verifier's log and statistics for every program
                .load()) {
            assertThat(obj.map("blocklist").info().maxEntries()).isEqualTo(64);
        }
        // end:loader
        Path custom = Samples.object("custom_section");
        // snippet:programType
        try (BpfObject obj = BpfObject.loader(custom)
                .programType("icmp_echo", ProgramType.XDP)    // SEC("xdp_icmp_echo") does not say the type
                .load()) {
            assertThat(obj.program("icmp_echo").type()).isEqualTo(ProgramType.XDP);
        }
        // end:programType
    }

    @Test
    void verifierRejection() {
        Path path = Samples.object("rejected");
        // snippet:verifier
        assertThatThrownBy(() -> BpfObject.load(path))
                .isInstanceOfSatisfying(VerifierException.class, e -> {
                    assertThat(e.verifierLog().errorLines()).contains("R0 invalid mem access 'map_value_or_null'");
                    assertThat(e.sourceLine()).hasValueSatisfying(line -> assertThat(line).contains("rejected.bpf.c:27"));
                    assertThat(e.log()).contains("processed");   // the whole log is kept
                });
        // end:verifier
    }

    @Test
    void running() throws Exception {
        Path path = Samples.object("xdp_fw");
        // snippet:run
        try (BpfObject obj = BpfObject.load(path)) {
            BpfProgram fw = obj.program("xdp_fw");
            byte[] packet = Packets.ethernet().ipv4().src("10.0.0.1").dst("10.0.0.2").udp().dstPort(53).payload(8)
                    .bytes();
            assertThat(fw.run(packet).xdpAction()).isEqualTo(XdpAction.PASS);

            // block 10.0.0.1: the key is a __u32 address, the value a struct block_reason set by field name
            obj.map("blocklist").updateValue(InetAddress.getByName("10.0.0.1").getAddress(), Map.of("rule_id", 7));
            TestRun run = fw.testRun().data(packet).repeat(1000).run();
            assertThat(run.xdpAction()).isEqualTo(XdpAction.DROP);
            assertThat(run.durationNs()).isPositive();       // the kernel's average per run

            // stats is a per-CPU array of struct verdict_stats { __u64 packets; __u64 bytes; }
            assertThat(obj.map("stats").sumPerCpu(XdpAction.DROP.raw(), "packets")).isEqualTo(1000);
        }
        // end:run
    }

    @Test
    void globals() {
        Path path = Samples.object("globals");
        // snippet:globals
        try (BpfObject obj = BpfObject.load(path)) {
            GlobalVariable filterPid = obj.globals().get("filter_pid");    // volatile __s32 filter_pid = -1;
            filterPid.set(1234);                                          // written between runs
            BpfProgram prog = obj.program("globals_xdp");
            byte[] packet = Packets.ethernet().ipv4().udp().payload(4).bytes();
            for (int i = 0; i < 5; i++) {
                prog.run(packet);
            }
            assertThat(obj.globals().get("packets").asLong()).isEqualTo(5);   // a .bss counter
        }
        // end:globals
    }

    @Test
    void packets() {
        // snippet:packets
        Packet query = Packets.ethernet().src("02:00:00:00:00:01").dst("02:00:00:00:00:02")
                .ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(64)
                .udp().srcPort(1234).dstPort(53).payload("hello")
                .build();                                        // lengths and checksums filled in
        Packet broken = Packets.ethernet().ipv4().udp().checksum(0xdead).payload(4).build();
        assertThat(broken.checksumsValid()).isFalse();

        Packet parsed = Packet.parse(query.bytes());
        assertThat(parsed.ipv4().ttl()).isEqualTo(64);
        Packet expected = Packets.ethernet().src("02:00:00:00:00:01").dst("02:00:00:00:00:02")
                .ipv4().src("10.0.0.1").dst("10.0.0.2").ttl(63)
                .udp().srcPort(1234).dstPort(53).payload("hello")
                .build();
        assertThat(PacketDiff.of(expected, parsed).toString()).contains("ttl");   // a layer-by-layer table
        // end:packets
    }
}

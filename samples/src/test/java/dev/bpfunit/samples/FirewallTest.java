package dev.bpfunit.samples;

// snippet:bpftest
import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.junit.RequiresProgramType;
import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.Packets;
import dev.bpfunit.spec.ProgramType;
import org.junit.jupiter.api.Test;

@BpfTest(value = "bpf/xdp_fw.bpf.o", globals = @Global(name = "blocked_port", value = "53"))
@RequiresProgramType(ProgramType.XDP)      // skipped, with the reason, where the kernel cannot load XDP
class FirewallTest {

    @Program("xdp_fw") BpfProgram firewall;  // a fresh object for every test, closed after it
    @Map("blocklist") BpfMap blocklist;
    @Map("stats") BpfMap stats;

    @Test
    void dropsABlockedSourceAndCountsIt() {
        blocklist.update(Ipv4Address.of("10.0.0.66").bytes(),
                blocklist.encodeValue(java.util.Map.of("rule_id", 7, "flags", 0)));
        byte[] attack = Packets.ethernet().ipv4().src("10.0.0.66").dst("10.0.0.1").udp().dstPort(80).payload(16)
                .bytes();

        assertThat(firewall.run(attack)).hasVerdict(XdpAction.DROP);
        assertThat(stats).hasPerCpuSum(XdpAction.DROP.raw(), "packets", 1)
                .hasPerCpuSum(XdpAction.DROP.raw(), "bytes", attack.length);
    }

    @Test
    void passesOtherTrafficUnchanged() {
        Packet https = Packets.ethernet().ipv4().src("10.0.0.7").dst("10.0.0.1").tcp().dstPort(443).flags("SYN")
                .build();

        assertThat(firewall.run(https.bytes())).hasVerdict(XdpAction.PASS)
                .hasOutputPacket(https)
                .outputPacket().ipv4().hasDestination("10.0.0.1").hasValidChecksum()
                .tcp().hasDestinationPort(443).hasFlags("SYN");
        assertThat(blocklist).isEmpty();       // nothing left over from the other test
    }

    @Test
    void dropsTheBlockedPortSetBeforeLoad() {
        byte[] dns = Packets.ethernet().ipv4().src("10.0.0.7").dst("10.0.0.1").udp().dstPort(53).payload(20).bytes();

        assertThat(firewall.run(dns)).hasVerdict(XdpAction.DROP);
    }
}
// end:bpftest

package dev.bpfunit.compat;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Packets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's usage on Jupiter 5.x: static and instance fields, parameters, a global set before load. */
@BpfTest(value = "xdp_fw", globals = @Global(name = "blocked_port", value = "53"))
class FirewallOnJupiter5Test {

    static BpfObject shared;                       // once for the class
    @Program("xdp_fw") BpfProgram firewall;        // fresh for each test
    @Map("blocklist") BpfMap blocklist;

    @BeforeAll
    static void sharedIsLoaded() {
        org.assertj.core.api.Assertions.assertThat(shared.program("xdp_fw").type().toString()).isEqualTo("XDP");
    }

    @Test
    void dropsABlockedSource(@Map("stats") BpfMap stats) {
        blocklist.update(Ipv4Address.of("10.0.0.66").bytes(),
                blocklist.encodeValue(java.util.Map.of("rule_id", 7, "flags", 0)));
        byte[] attack = Packets.ethernet().ipv4().src("10.0.0.66").dst("10.0.0.1").udp().dstPort(80).payload(16)
                .bytes();

        assertThat(firewall.run(attack)).hasVerdict(XdpAction.DROP);
        assertThat(stats).hasPerCpuSum(XdpAction.DROP.raw(), "packets", 1);
    }

    @Test
    void freshObjectsForEachTestAndTheGlobalIsSet() {
        assertThat(blocklist).isEmpty();
        byte[] dns = Packets.ethernet().ipv4().src("10.0.0.7").dst("10.0.0.1").udp().dstPort(53).payload(20).bytes();
        assertThat(firewall.run(dns)).hasVerdict(XdpAction.DROP);
    }
}

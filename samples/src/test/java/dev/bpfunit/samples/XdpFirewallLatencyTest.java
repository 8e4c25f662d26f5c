package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static dev.bpfunit.assertj.BpfAssertions.assertThatLatency;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Ipv4Address;
import dev.bpfunit.packet.Packets;
import org.junit.jupiter.api.Test;

/**
 * A latency budget for the XDP firewall's hot path, as a CI would keep it: the median of several samples of
 * 100,000 runs each, after warm-up, must stay below a bound. The bound is generous on purpose (the program takes
 * tens of nanoseconds on an idle machine): it catches a program that became an order of magnitude slower,
 * without failing because a shared CI machine was busy.
 */
@BpfTest("bpf/xdp_fw.bpf.o")
class XdpFirewallLatencyTest {

    static final long BUDGET_NS = 5_000;

    @Program("xdp_fw") BpfProgram firewall;
    @Map("blocklist") BpfMap blocklist;

    @Test
    void aBlocklistLookupStaysWithinItsBudget() {
        byte[] packet = Packets.ethernet().ipv4().src("10.0.0.66").dst("10.0.0.1").udp().dstPort(80).payload(64)
                .bytes();
        blocklist.update(Ipv4Address.of("10.0.0.66").bytes(),
                blocklist.encodeValue(java.util.Map.of("rule_id", 1, "flags", 0)));
        assertThat(firewall.run(packet)).hasVerdict(XdpAction.DROP);

        assertThatLatency(repeat -> firewall.testRun().data(packet).repeat(repeat).run())
                .hasAverageNsPerRunBelow(BUDGET_NS);
    }
}

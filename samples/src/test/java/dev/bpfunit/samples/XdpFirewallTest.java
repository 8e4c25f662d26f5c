package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import org.junit.jupiter.api.Test;

/** The XDP firewall: a blocklist map by source address, per-CPU counters per verdict, a port set in .rodata. */
@BpfTest(value = "bpf/xdp_fw.bpf.o", globals = @Global(name = "blocked_port", value = "53"))
class XdpFirewallTest {

    static final byte[] ATTACKER = {10, 0, 0, 66};
    static final byte[] FRIEND = {10, 0, 0, 7};
    static final byte[] SERVER = {10, 0, 0, 1};

    @Program("xdp_fw") BpfProgram firewall;
    @Map("blocklist") BpfMap blocklist;
    @Map("stats") BpfMap stats;

    @Test
    void dropsTrafficFromABlockedAddressAndCountsIt() {
        blocklist.update(ATTACKER, blocklist.encodeValue(java.util.Map.of("rule_id", 7, "flags", 0)));
        byte[] packet = Frames.udp4(ATTACKER, SERVER, 4000, 80, 16, 64);

        assertThat(firewall.run(packet)).hasVerdict(XdpAction.DROP).hasDataUnchanged();
        assertThat(stats).hasPerCpuSum(XdpAction.DROP.raw(), "packets", 1)
                .hasPerCpuSum(XdpAction.DROP.raw(), "bytes", packet.length)
                .hasPerCpuSum(XdpAction.PASS.raw(), "packets", 0);
    }

    @Test
    void passesOtherTrafficAndEachTestStartsWithEmptyMaps() {
        assertThat(blocklist).isEmpty();
        assertThat(firewall.run(Frames.tcp4(FRIEND, SERVER, 4000, 443))).hasVerdict(XdpAction.PASS);
        assertThat(stats).hasPerCpuSum(XdpAction.PASS.raw(), "packets", 1);
    }

    @Test
    void dropsTheBlockedPortSetBeforeLoad(Globals globals) {
        assertThat(globals).hasVariable("blocked_port", 53);
        assertThat(firewall.run(Frames.udp4(FRIEND, SERVER, 4000, 53, 16, 64))).hasVerdict(XdpAction.DROP);
        assertThat(firewall.run(Frames.udp4(FRIEND, SERVER, 4000, 54, 16, 64))).hasVerdict(XdpAction.PASS);
    }

    @Test
    void passesWhatIsNotIpv4() {
        byte[] arp = Frames.ethernet(0x0806, new byte[28]);
        assertThat(firewall.run(arp)).hasVerdict(XdpAction.PASS).hasDataUnchanged();
        assertThat(stats).hasPerCpuSum(XdpAction.PASS.raw(), "packets", 1);
    }
}

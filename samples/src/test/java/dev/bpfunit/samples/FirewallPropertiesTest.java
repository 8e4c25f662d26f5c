package dev.bpfunit.samples;

import static dev.bpfunit.assertj.BpfAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.TestRun;
import dev.bpfunit.XdpAction;
import dev.bpfunit.jqwik.PacketArbitraries;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.Udp;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of the XDP firewall checked with jqwik over generated frames: jqwik runs its own engine, not
 * Jupiter's extensions, so the object is loaded once for the container and closed after it (and the maps are
 * left empty: with no blocklist entry only the port set in .rodata, 53, is dropped).
 */
// snippet:jqwik
class FirewallPropertiesTest {

    static BpfObject firewall;

    @BeforeContainer
    static void load() {
        firewall = BpfObject.load(Samples.object("xdp_fw"));
    }

    @AfterContainer
    static void close() {
        firewall.close();
    }

    @Property(tries = 300)
    void passesEveryWellFormedFrameNotToPort53Unchanged(@ForAll("frames") Packet frame) {
        TestRun run = firewall.program("xdp_fw").run(frame.bytes());
        assertThat(run).hasVerdict(XdpAction.PASS).hasDataUnchanged();
    }

    @Property(tries = 300)
    void neverAbortsOnABrokenFrame(@ForAll("broken") Packet frame) {
        XdpAction verdict = firewall.program("xdp_fw").run(frame.bytes()).xdpAction();
        assertThat(verdict).isIn(XdpAction.PASS, XdpAction.DROP);
    }

    @Provide
    Arbitrary<Packet> frames() {
        return PacketArbitraries.valid().filter(p -> p.find(Udp.class).map(u -> u.dstPort() != 53).orElse(true));
    }

    @Provide
    Arbitrary<Packet> broken() {
        // a runt frame below 14 bytes cannot be test-run at all (the kernel wants an Ethernet header)
        return PacketArbitraries.malformed().filter(p -> p.bytes().length >= 14);
    }
}
// end:jqwik

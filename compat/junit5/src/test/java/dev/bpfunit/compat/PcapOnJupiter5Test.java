package dev.bpfunit.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.PcapSource;
import dev.bpfunit.junit.Program;
import dev.bpfunit.packet.Packet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;

/** {@code @PcapSource} on Jupiter 5.x, whose ArgumentsProvider has no ParameterDeclarations before 5.13. */
@BpfTest("xdp_fw")
class PcapOnJupiter5Test {

    private static final List<Integer> SEEN = new ArrayList<>();

    @Program("xdp_fw") BpfProgram firewall;

    @ParameterizedTest
    @PcapSource("/captures/dns.pcap")
    void everyPacketOfTheCapturePasses(Packet packet, int index) {
        SEEN.add(index);
        assertThat(firewall.run(packet.bytes()).xdpAction()).isEqualTo(XdpAction.PASS);
    }

    @AfterAll
    static void eachPacketOnce() {
        assertThat(SEEN).isNotEmpty();
        for (int i = 0; i < SEEN.size(); i++) {
            assertThat(SEEN.get(i)).isEqualTo(i);
        }
    }
}

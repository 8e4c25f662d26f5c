package dev.bpfunit.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.bpfunit.junit.PcapSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

class PcapSourceTest {

    @ParameterizedTest
    @PcapSource("captures/dns.pcap")
    void givesOneInvocationPerPacketOfTheCapture(Packet packet, int index, PcapPacket raw) {
        assertThat(packet.udp().dstPort()).isEqualTo(53);
        assertThat(packet.checksumsValid()).isTrue();
        assertThat(raw.packet()).isEqualTo(packet);
        assertThat(raw.timestamp().getEpochSecond() % 60).isEqualTo(index);
        assertThat(packet.protocols()).isEqualTo(List.of("Ethernet/IPv4/UDP/Payload", "Ethernet/IPv6/UDP/Payload",
                "Ethernet/VLAN/IPv4/UDP/Payload").get(index));
    }

    @ParameterizedTest
    @PcapSource("/dev/bpfunit/packet/captures/dns.pcapng")
    void readsPcapngFromTheClasspathRootAndGivesBytes(byte[] frame) {
        assertThat(Packet.parse(frame).udp().dstPort()).isEqualTo(53);
    }

    @Test
    void runsEveryPacketAndNamesInvocationsByPacket() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Good.class)).execute().testEvents();
        events.assertStatistics(s -> s.started(3).succeeded(3));
        assertThat(events.started().list()).extracting(e -> e.getTestDescriptor().getDisplayName())
                .anyMatch(n -> n.contains("#1 Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02 / IPv6 fd00::1 > fd00::53 / UDP 40002 > 53"));
        assertThat(Good.indexes).containsExactly(0, 1, 2);
    }

    @Test
    void aMissingCaptureIsAConfigurationErrorNamingTheFile() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(Missing.class)).execute().containerEvents();
        assertThat(events.failed().list()).singleElement().satisfies(e -> {
            Throwable t = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
            assertThat(t).isInstanceOf(ExtensionConfigurationException.class)
                    .hasMessageContaining("@PcapSource(\"captures/nope.pcap\") on method")
                    .hasMessageContaining("no such capture")
                    .hasMessageContaining("src/test/resources/dev/bpfunit/packet/captures/nope.pcap");
        });
    }

    @Test
    void anUnsupportedParameterIsAConfigurationError() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(WrongParameter.class)).execute().containerEvents();
        assertThat(events.failed().list()).singleElement().satisfies(e -> assertThat(
                e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .hasMessageContaining("the first parameter must be a Packet, PcapPacket, byte[] or int"));
    }

    @Test
    void aCaptureOfAnotherLinkTypeIsAConfigurationErrorNamingIt() {
        Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(NotEthernet.class)).execute().containerEvents();
        assertThat(events.failed().list()).singleElement().satisfies(e -> assertThat(
                e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("link type 113 LINUX_SLL"));
    }

    static class Good {
        static final List<Integer> indexes = new ArrayList<>();

        @ParameterizedTest
        @PcapSource("captures/dns.pcap")
        void each(int index, Packet packet) {
            indexes.add(index);
            assertThat(packet.has(Udp.class)).isTrue();
        }
    }

    static class Missing {
        @ParameterizedTest
        @PcapSource("captures/nope.pcap")
        void each(Packet packet) {
        }
    }

    static class WrongParameter {
        @ParameterizedTest
        @PcapSource("captures/dns.pcap")
        void each(String packet) {
        }
    }

    static class NotEthernet {
        @ParameterizedTest
        @PcapSource("captures/linux-sll.pcap")
        void each(Packet packet) {
        }
    }
}

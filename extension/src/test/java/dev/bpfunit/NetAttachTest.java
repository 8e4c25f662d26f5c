package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.spec.ProgramType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The attachments without a BPF link that older kernels need (XDP through netlink before 5.9, tc through a clsact
 * qdisc before 6.6), run on this kernel directly, with real datagrams through a veth pair.
 */
class NetAttachTest {
    static final int XDP_DROP = 1;
    static final int TC_ACT_SHOT = 2;

    static Path counter() throws URISyntaxException {
        return Path.of(NetAttachTest.class.getResource("/junit/counter.bpf.o").toURI());
    }

    @Test
    void xdpThroughNetlinkDropsAndIsUndoneOnClose() throws Exception {
        try (VethPair veth = VethPair.create();
             BpfObject obj = BpfObject.loader(counter()).global("verdict", XDP_DROP).load()) {
            BpfProgram p = obj.program("count_packets");
            UdpSocket rx = veth.first().netns().udpSocket(veth.first().requireAddress(), 0);
            UdpSocket tx = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
            Link link = NetAttach.xdpNetlink(p, obj, veth.first(), XdpMode.GENERIC);
            assertThat(link.fd()).isEmpty();
            assertThat(obj.links()).containsExactly(link);
            tx.send(rx.localAddress(), "dropped".getBytes(StandardCharsets.US_ASCII));
            assertThat(rx.receive(Duration.ofMillis(300))).isEmpty();
            assertThatThrownBy(() -> NetAttach.xdpNetlink(p, obj, veth.first(), XdpMode.GENERIC))
                    .hasMessageContaining("already has an XDP program");
            link.close();
            tx.send(rx.localAddress(), "through".getBytes(StandardCharsets.US_ASCII));
            assertThat(rx.receive(Duration.ofSeconds(2))).isPresent();
        }
    }

    @Test
    void tcThroughClsactDropsAndIsUndoneOnClose() throws Exception {
        try (VethPair veth = VethPair.create();
             BpfObject obj = BpfObject.loader(counter()).programType("count_packets", ProgramType.SCHED_CLS)
                     .global("verdict", TC_ACT_SHOT).load()) {
            BpfProgram p = obj.program("count_packets");
            UdpSocket rx = veth.first().netns().udpSocket(veth.first().requireAddress(), 0);
            UdpSocket tx = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
            Link link = NetAttach.tcClsact(p, obj, veth.second(), TcDirection.EGRESS);
            tx.send(rx.localAddress(), "dropped".getBytes(StandardCharsets.US_ASCII));
            assertThat(rx.receive(Duration.ofMillis(300))).isEmpty();
            assertThat(obj.map("counts").lookup(new byte[4]).orElseThrow()).isNotEqualTo(new byte[8]);
            obj.close();   // closes the link first
            assertThat(link.isAttached()).isFalse();
            tx.send(rx.localAddress(), "through".getBytes(StandardCharsets.US_ASCII));
            assertThat(rx.receive(Duration.ofSeconds(2))).isPresent();
        }
    }

    @Test
    void aProgramOfTheWrongTypeIsRefusedBeforeTheKernelIsAsked() throws Exception {
        try (VethPair veth = VethPair.create(); BpfObject obj = BpfObject.load(counter())) {
            assertThatThrownBy(() -> obj.program("count_packets").attachTc(veth.first(), TcDirection.INGRESS))
                    .isInstanceOf(BpfException.class)
                    .hasMessageContaining("count_packets")
                    .hasMessageContaining("SCHED_CLS")
                    .hasMessageContaining("this one is XDP");
        }
    }
}

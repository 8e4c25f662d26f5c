package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Link;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.VethPair;
import dev.bpfunit.XdpMode;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Program;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An XDP program attached to a real veth in generic mode, dropping real UDP to one port while the rest flows. */
@BpfTest("bpf/xdp_drop_port.bpf.o")
@Global(name = "drop_port", value = "9999")
class XdpLiveTest {

    @Program("xdp_drop_port") BpfProgram xdp;
    BpfObject obj;

    // snippet:xdp-live
    @Test
    void dropsUdpToOnePortOnARealDevice(VethPair veth) {
        Link link = xdp.attachXdp(veth.first(), XdpMode.GENERIC);
        InetAddress to = veth.first().requireAddress();
        UdpSocket dropped = veth.first().netns().udpSocket(to, 9999);
        UdpSocket passed = veth.first().netns().udpSocket(to, 9998);
        UdpSocket sender = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);

        for (int i = 0; i < 3; i++) {
            sender.send(to, 9999, bytes("blocked " + i));
            sender.send(to, 9998, bytes("allowed " + i));
        }

        assertThat(texts(passed.receiveUntilQuiet(Duration.ofMillis(300), 10)))
                .containsExactly("allowed 0", "allowed 1", "allowed 2");
        assertThat(dropped.receive(Duration.ofMillis(100))).isEmpty();
        assertThat(Samples.u32(obj.map("stats").lookup(Samples.u32(1)).orElseThrow(), 0)).isEqualTo(3);
        assertThat(link.target()).contains("veth0");
    }
    // end:xdp-live

    @Test
    void detachedProgramDropsNothing(VethPair veth) {
        Link link = xdp.attachXdp(veth.first(), XdpMode.GENERIC);
        assertThat(obj.links()).containsExactly(link);
        link.close();
        assertThat(obj.links()).isEmpty();
        UdpSocket rx = veth.first().netns().udpSocket(veth.first().requireAddress(), 9999);
        UdpSocket tx = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        tx.send(rx.localAddress(), bytes("through"));
        assertThat(rx.receive(Duration.ofSeconds(2))).get().extracting(d -> new String(d.data(), StandardCharsets.US_ASCII))
                .isEqualTo("through");
    }

    @Test
    void nativeModeOnVethAlsoDrops(VethPair veth) {
        xdp.attachXdp(veth.first(), XdpMode.NATIVE);
        UdpSocket rx = veth.first().netns().udpSocket(veth.first().requireAddress(), 9999);
        UdpSocket tx = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        tx.send(rx.localAddress(), bytes("dropped natively"));
        assertThat(rx.receive(Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void offloadIsRefusedWithTheReasonAndTheFix(VethPair veth) {
        assertThatThrownBy(() -> xdp.attachXdp(veth.first(), XdpMode.OFFLOAD))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("BPF_LINK_CREATE")
                .hasMessageContaining("veth0")
                .hasMessageContaining("XdpMode.GENERIC works on any device");
        assertThat(obj.links()).isEmpty();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static List<String> texts(List<UdpSocket.Datagram> datagrams) {
        return datagrams.stream().map(d -> new String(d.data(), StandardCharsets.US_ASCII)).toList();
    }
}

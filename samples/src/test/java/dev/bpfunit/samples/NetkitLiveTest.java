package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.Link;
import dev.bpfunit.NetkitPair;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Program;
import dev.bpfunit.junit.RequiresAttachType;
import dev.bpfunit.junit.RequiresNetkit;
import dev.bpfunit.spec.AttachType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tc port rewrite attached to a netkit pair (Linux 6.7) for what the peer sends, with real datagrams. */
@BpfTest("bpf/tcx_port_rewrite.bpf.o")
@Global(name = "from_port", value = "7000")
@Global(name = "to_port", value = "7001")
@RequiresAttachType(AttachType.NETKIT_PEER)
@RequiresNetkit
class NetkitLiveTest {

    @Program("tcx_port_rewrite") BpfProgram tc;
    Globals globals;

    @Test
    void peerProgramRewritesWhatThePeerSends(NetkitPair netkit) {
        Link link = tc.attachNetkit(netkit.primary(), AttachType.NETKIT_PEER);
        InetAddress to = netkit.primary().requireAddress();
        UdpSocket rewritten = netkit.primary().netns().udpSocket(to, 7001);
        UdpSocket original = netkit.primary().netns().udpSocket(to, 7000);
        UdpSocket sender = netkit.peer().netns().udpSocket(netkit.peer().requireAddress(), 0);

        sender.send(to, 7000, "via netkit".getBytes(StandardCharsets.US_ASCII));

        assertThat(rewritten.receive(Duration.ofSeconds(2))).get()
                .extracting(d -> new String(d.data(), StandardCharsets.US_ASCII)).isEqualTo("via netkit");
        assertThat(original.receive(Duration.ofMillis(100))).isEmpty();
        assertThat(globals.get("rewritten").asLong()).isEqualTo(1);
        assertThat(link.target()).startsWith("netkit peer of nk0");
    }

    @Test
    void primaryProgramDoesNotSeeWhatThePeerSends(NetkitPair netkit) {
        tc.attachNetkit(netkit.primary(), AttachType.NETKIT_PRIMARY);
        InetAddress to = netkit.primary().requireAddress();
        UdpSocket original = netkit.primary().netns().udpSocket(to, 7000);
        UdpSocket sender = netkit.peer().netns().udpSocket(netkit.peer().requireAddress(), 0);
        sender.send(to, 7000, "untouched".getBytes(StandardCharsets.US_ASCII));
        assertThat(original.receive(Duration.ofSeconds(2))).isPresent();
        assertThat(globals.get("rewritten").asLong()).isZero();
    }
}

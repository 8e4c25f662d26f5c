package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.Link;
import dev.bpfunit.TcDirection;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.VethPair;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Program;
import dev.bpfunit.junit.RequiresAttachType;
import dev.bpfunit.spec.AttachType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A tc program attached with a TCX link (Linux 6.6), rewriting real datagrams seen by the receiving socket. */
@BpfTest("bpf/tcx_port_rewrite.bpf.o")
@Global(name = "from_port", value = "7000")
@Global(name = "to_port", value = "7001")
@RequiresAttachType(AttachType.TCX_INGRESS)
class TcxLiveTest {

    @Program("tcx_port_rewrite") BpfProgram tc;
    Globals globals;

    // snippet:tcx-live
    @Test
    void rewritesTheDestinationPortOfRealDatagrams(VethPair veth) {
        Link link = tc.attachTc(veth.first(), TcDirection.INGRESS);
        InetAddress to = veth.first().requireAddress();
        UdpSocket original = veth.first().netns().udpSocket(to, 7000);
        UdpSocket rewritten = veth.first().netns().udpSocket(to, 7001);
        UdpSocket sender = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);

        sender.send(to, 7000, "to 7000".getBytes(StandardCharsets.US_ASCII));

        UdpSocket.Datagram got = rewritten.receive(Duration.ofSeconds(2)).orElseThrow();
        assertThat(new String(got.data(), StandardCharsets.US_ASCII)).isEqualTo("to 7000");
        assertThat(got.from()).isEqualTo(sender.localAddress());
        assertThat(original.receive(Duration.ofMillis(100))).isEmpty();
        assertThat(globals.get("rewritten").asLong()).isEqualTo(1);
        assertThat(link.target()).startsWith("tcx ingress of veth0");
    }
    // end:tcx-live

    @Test
    void afterDetachDatagramsReachTheirOwnPort(VethPair veth) {
        tc.attachTc(veth.first(), TcDirection.INGRESS).close();
        InetAddress to = veth.first().requireAddress();
        UdpSocket original = veth.first().netns().udpSocket(to, 7000);
        UdpSocket sender = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        sender.send(to, 7000, "plain".getBytes(StandardCharsets.US_ASCII));
        assertThat(original.receive(Duration.ofSeconds(2))).isPresent();
        assertThat(globals.get("rewritten").asLong()).isZero();
    }

    @Test
    void egressOfTheSenderRewritesToo(VethPair veth) {
        tc.attachTc(veth.second(), TcDirection.EGRESS);
        InetAddress to = veth.first().requireAddress();
        UdpSocket rewritten = veth.first().netns().udpSocket(to, 7001);
        UdpSocket sender = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        sender.send(to, 7000, "egress".getBytes(StandardCharsets.US_ASCII));
        assertThat(rewritten.receive(Duration.ofSeconds(2))).isPresent();
    }
}

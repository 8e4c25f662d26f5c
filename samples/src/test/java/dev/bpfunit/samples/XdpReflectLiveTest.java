package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.VethPair;
import dev.bpfunit.XdpMode;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Program;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An XDP program bouncing real datagrams back out of the device they came in on (XDP_TX). */
@BpfTest("bpf/xdp_reflect.bpf.o")
@Global(name = "echo_port", value = "7777")
class XdpReflectLiveTest {

    @Program("xdp_reflect") BpfProgram xdp;
    Globals globals;

    @Test
    void theSenderGetsItsDatagramBackFromTheAddressItSentTo(VethPair veth) {
        xdp.attachXdp(veth.first(), XdpMode.GENERIC);
        UdpSocket server = veth.first().netns().udpSocket(veth.first().requireAddress(), 7777);
        UdpSocket sender = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        InetSocketAddress echo = new InetSocketAddress(veth.first().requireAddress(), 7777);

        sender.send(echo, "ping".getBytes(StandardCharsets.US_ASCII));

        UdpSocket.Datagram back = sender.receive(Duration.ofSeconds(2)).orElseThrow();
        assertThat(new String(back.data(), StandardCharsets.US_ASCII)).isEqualTo("ping");
        assertThat(back.from()).isEqualTo(echo);
        assertThat(server.receive(Duration.ofMillis(100))).as("the server never saw it").isEmpty();
        assertThat(globals.get("reflected").asLong()).isEqualTo(1);
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.NetNs;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Program;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A socket filter attached to a socket the test owns, deciding which real datagrams it receives. */
@BpfTest("bpf/sock_max_len.bpf.o")
@Global(name = "max_len", value = "108")
class SocketFilterLiveTest {

    @Program("sock_max_len") BpfProgram filter;
    Globals globals;

    // snippet:socket-filter-live
    @Test
    void dropsDatagramsLongerThanMaxLen(NetNs netns) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        UdpSocket rx = netns.udpSocket(lo, 0);
        UdpSocket tx = netns.udpSocket(lo, 0);
        filter.attachToSocket(rx);

        tx.send(rx.localAddress(), new byte[100]);   // 8 + 100 bytes: kept
        tx.send(rx.localAddress(), new byte[101]);   // 8 + 101 bytes: dropped
        tx.send(rx.localAddress(), new byte[3]);

        assertThat(rx.receiveUntilQuiet(Duration.ofMillis(300), 10))
                .extracting(d -> d.data().length).containsExactly(100, 3);
        assertThat(globals.get("seen").asLong()).isEqualTo(3);
        assertThat(globals.get("dropped").asLong()).isEqualTo(1);
    }
    // end:socket-filter-live

    @Test
    void aDetachedFilterLetsEverythingThrough(NetNs netns) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        UdpSocket rx = netns.udpSocket(lo, 0);
        UdpSocket tx = netns.udpSocket(lo, 0);
        filter.attachToSocket(rx).close();
        tx.send(rx.localAddress(), new byte[1000]);
        assertThat(rx.receive(Duration.ofSeconds(2))).get().extracting(d -> d.data().length).isEqualTo(1000);
        assertThat(globals.get("seen").asLong()).isZero();
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.UdpSocket;
import dev.bpfunit.VethPair;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Global;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An sk_lookup program attached to a network namespace, steering real datagrams for unbound ports to one socket. */
@BpfTest("bpf/sk_lookup_steer.bpf.o")
@Global(name = "first_port", value = "8000")
@Global(name = "last_port", value = "8099")
class SkLookupLiveTest {

    @Program("sk_lookup_steer") BpfProgram lookup;
    @Map("target") BpfMap target;
    Globals globals;

    // snippet:sk-lookup-live
    @Test
    void oneSocketReceivesEveryPortOfTheRange(VethPair veth) {
        InetAddress server = veth.first().requireAddress();
        UdpSocket socket = veth.first().netns().udpSocket(server, 5555);
        target.update(Samples.u32(0), u64(socket.rawFd()));   // a SOCKMAP takes the socket's fd
        lookup.attachSkLookup(veth.first().netns());

        UdpSocket client = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        for (int port : new int[] {8000, 8042, 8099}) {
            client.send(server, port, ("to " + port).getBytes(StandardCharsets.US_ASCII));
        }

        assertThat(socket.receiveUntilQuiet(Duration.ofMillis(300), 10))
                .extracting(d -> new String(d.data(), StandardCharsets.US_ASCII))
                .containsExactly("to 8000", "to 8042", "to 8099");
        assertThat(globals.get("steered").asLong()).isEqualTo(3);
    }
    // end:sk-lookup-live

    @Test
    void portsOutsideTheRangeAreNotSteered(VethPair veth) {
        InetAddress server = veth.first().requireAddress();
        UdpSocket socket = veth.first().netns().udpSocket(server, 5555);
        target.update(Samples.u32(0), u64(socket.rawFd()));
        lookup.attachSkLookup(veth.first().netns());
        UdpSocket client = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
        client.send(server, 8100, "outside".getBytes(StandardCharsets.US_ASCII));
        assertThat(socket.receive(Duration.ofMillis(300))).isEmpty();
        assertThat(globals.get("steered").asLong()).isZero();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfMap;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.Globals;
import dev.bpfunit.Link;
import dev.bpfunit.NetNs;
import dev.bpfunit.TcpSocket;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.Map;
import dev.bpfunit.junit.Program;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An sk_msg program attached to a SOCKHASH, running on every send of a real TCP connection in the map. */
@BpfTest("bpf/sk_msg_count.bpf.o")
class SkMsgLiveTest {

    @Program("sk_msg_count") BpfProgram skMsg;
    @Map("socks") BpfMap socks;
    Globals globals;

    @Test
    void countsWhatASocketInTheMapSends(NetNs netns) {
        Link link = skMsg.attachToMap(socks);   // sk_msg: SK_MSG_VERDICT, before sockets are added
        InetAddress lo = InetAddress.getLoopbackAddress();
        TcpSocket listener = netns.tcpListen(lo, 0);
        TcpSocket client = netns.tcpConnect(lo, listener.localAddress().getPort());
        TcpSocket server = listener.accept();
        socks.update(Samples.u32(1), SkLookupLiveTest.u64(client.rawFd()));

        client.send("hello".getBytes(StandardCharsets.US_ASCII));
        client.send("world!".getBytes(StandardCharsets.US_ASCII));

        StringBuilder got = new StringBuilder();
        while (got.length() < 11) {
            byte[] part = server.receive(64, Duration.ofSeconds(2)).orElseThrow();
            got.append(new String(part, StandardCharsets.US_ASCII));
        }
        assertThat(got.toString()).isEqualTo("helloworld!");
        assertThat(globals.get("msgs").asLong()).isEqualTo(2);
        assertThat(globals.get("bytes").asLong()).isEqualTo(11);
        assertThat(link.target()).isEqualTo("SK_MSG_VERDICT of map 'socks'");
    }
}

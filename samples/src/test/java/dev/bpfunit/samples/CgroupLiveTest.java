package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.Cgroup;
import dev.bpfunit.Globals;
import dev.bpfunit.junit.BpfTest;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * cgroup programs observed through real connect() calls: a process started in the test's cgroup is redirected,
 * one outside it is not. The ports are free ones found at run time, set in .rodata before the load.
 */
@BpfTest("bpf/cgroup_connect.bpf.o")
class CgroupLiveTest {

    // snippet:cgroup-live
    @Test
    void connect4RedirectsOnlyTheCgroupsProcesses(Cgroup cgroup, BpfObjectLoader loader) throws Exception {
        try (DatagramSocket asked = bindLoopback(); DatagramSocket redirectedTo = bindLoopback();
             BpfObject obj = loader.global("from_port", asked.getLocalPort())
                     .global("to_port", redirectedTo.getLocalPort()).load()) {
            obj.program("connect4_redirect").attachToCgroup(cgroup);   // cgroup/connect4: CGROUP_INET4_CONNECT
            obj.program("count_egress").attachToCgroup(cgroup);        // cgroup_skb/egress: CGROUP_INET_EGRESS

            // bash's /dev/udp does socket(), connect() and write(): a real connect() from a process in the cgroup
            Process inside = cgroup.start("bash", "-c", "echo -n inside > /dev/udp/127.0.0.1/" + asked.getLocalPort());
            assertThat(inside.waitFor(10, TimeUnit.SECONDS) && inside.exitValue() == 0).isTrue();
            assertThat(receive(redirectedTo)).isEqualTo("inside");

            Process outside = new ProcessBuilder("bash", "-c",
                    "echo -n outside > /dev/udp/127.0.0.1/" + asked.getLocalPort()).start();
            assertThat(outside.waitFor(10, TimeUnit.SECONDS) && outside.exitValue() == 0).isTrue();
            assertThat(receive(asked)).isEqualTo("outside");

            Globals globals = obj.globals();
            assertThat(globals.get("connects").asLong()).isEqualTo(1);
            assertThat(globals.get("redirected").asLong()).isEqualTo(1);
            assertThat(globals.get("egress_packets").asLong()).isEqualTo(1);
        }
    }
    // end:cgroup-live

    @Test
    void theCgroupHoldsTheStartedProcessAndTheLinksGoWithTheObject(Cgroup cgroup, BpfObjectLoader loader)
            throws Exception {
        Process sleeper = cgroup.start("sleep", "30");
        assertThat(cgroup.processes()).containsExactly(sleeper.pid());
        try (BpfObject obj = loader.load()) {
            obj.program("connect4_redirect").attachToCgroup(cgroup);
            assertThat(obj.links()).hasSize(1);
            assertThat(obj.links().get(0).target()).startsWith("CGROUP_INET4_CONNECT of cgroup " + cgroup.path());
            assertThat(Bpftool.cgroupProgramNames(cgroup.path())).containsExactly("connect4_redirect");
            obj.close();
            // the link goes when its last reference does: a bpftool of a test running in parallel that lists every
            // link or program holds one for a moment, so the detach is awaited (bounded) rather than read at once
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<String> attached = Bpftool.cgroupProgramNames(cgroup.path());
            while (!attached.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                attached = Bpftool.cgroupProgramNames(cgroup.path());
            }
            assertThat(attached).as("programs attached to the cgroup after the object closed").isEmpty();
        }
    }

    static DatagramSocket bindLoopback() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(3000);
        return s;
    }

    static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[256], 256);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }
}

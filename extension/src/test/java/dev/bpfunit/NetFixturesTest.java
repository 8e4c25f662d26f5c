package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.sys.Namespaces;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live network fixtures in this machine's kernel: namespaces, a veth pair, real datagrams. */
class NetFixturesTest {

    @Test
    void vethPairCarriesDatagramsBothWaysFromTheFirstSend() {
        try (VethPair veth = VethPair.create()) {
            assertThat(veth.first().isOperational()).isTrue();
            assertThat(veth.second().isOperational()).isTrue();
            assertThat(veth.first().netns().inode()).isNotEqualTo(veth.second().netns().inode())
                    .isNotEqualTo(Namespaces.currentNetworkInode());
            UdpSocket rx = veth.first().netns().udpSocket(veth.first().requireAddress(), 0);
            UdpSocket tx = veth.second().netns().udpSocket(veth.second().requireAddress(), 0);
            for (int i = 0; i < 5; i++) {
                tx.send(veth.first().requireAddress(), rx.port(), ("hello " + i).getBytes(StandardCharsets.US_ASCII));
            }
            List<UdpSocket.Datagram> got = rx.receiveUntilQuiet(Duration.ofMillis(500), 10);
            assertThat(got).extracting(d -> new String(d.data(), StandardCharsets.US_ASCII))
                    .containsExactly("hello 0", "hello 1", "hello 2", "hello 3", "hello 4");
            assertThat(got.get(0).from()).isEqualTo(tx.localAddress());
            rx.send(tx.localAddress(), "back".getBytes(StandardCharsets.US_ASCII));
            assertThat(tx.receive(Duration.ofSeconds(2))).get().extracting(d -> new String(d.data()))
                    .isEqualTo("back");
        }
    }

    @Test
    void aClosedNamespaceIsGoneAndRefusesWork() throws Exception {
        NetNs ns = NetNs.create();
        long inode = ns.inode();
        assertThat(ns.call(Namespaces::currentNetworkInode)).isEqualTo(inode);
        // only the namespace's own thread: no helper thread (Fd's cleaner, JNA's) was started from inside
        assertThat(tasksOfThisProcessIn(inode)).as("threads of this JVM in the namespace").isEqualTo(1);
        ns.close();
        assertThatThrownBy(() -> ns.run(() -> { })).isInstanceOf(BpfException.class).hasMessageContaining("closed");
        // the namespace's thread has ended; the kernel drops its task entry a moment after the Java thread ends
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (netnsHeldByThisProcess(inode) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(netnsHeldByThisProcess(inode)).as("a task of this JVM still in the closed namespace").isFalse();
    }

    @Test
    void cgroupRunsAProcessInsideAndIsRemovedOnClose() throws Exception {
        java.nio.file.Path dir;
        try (Cgroup cg = Cgroup.create()) {
            dir = cg.path();
            assertThat(dir.getFileName().toString()).startsWith(Cgroup.ownerPrefix());
            Process p = cg.start("sleep", "30");
            assertThat(cg.processes()).containsExactly(p.pid());
            assertThat(Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/cgroup")))
                    .contains(dir.getFileName().toString());
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void staleCgroupsOfDeadOwnersAreRemovedOthersKept() throws Exception {
        // under a root of this test's own: the first Cgroup.create() of any test running in parallel removes the
        // stale cgroups of bpfunit's root, and would take this test's stale one before it looks; this directory's
        // name is not an owner's, so that leaves it alone
        java.nio.file.Path root = Cgroup.root().resolve("bpfunit-stale-test-" + System.nanoTime());
        // pid 1's start time is never 1 tick after boot with this name: a cgroup whose owner is "gone".
        java.nio.file.Path stale = root.resolve("1-1-" + System.nanoTime());
        java.nio.file.Path foreign = root.resolve("not-ours-" + ProcessHandle.current().pid());
        java.nio.file.Path mine = root.resolve(Cgroup.ownerPrefix() + "1");
        dev.bpfunit.sys.CgroupFs.create(root);
        try {
            dev.bpfunit.sys.CgroupFs.create(stale);
            dev.bpfunit.sys.CgroupFs.create(foreign);
            dev.bpfunit.sys.CgroupFs.create(mine);
            assertThat(Cgroup.removeStale(root)).containsExactly(stale);
            assertThat(stale).doesNotExist();
            assertThat(mine).exists();
            assertThat(foreign).exists();
        } finally {
            dev.bpfunit.sys.CgroupFs.remove(mine);
            dev.bpfunit.sys.CgroupFs.remove(foreign);
            dev.bpfunit.sys.CgroupFs.remove(stale);
            dev.bpfunit.sys.CgroupFs.remove(root);
        }
    }

    /** Whether a thread of this process is still in the namespace with this inode. */
    static boolean netnsHeldByThisProcess(long inode) throws Exception {
        return tasksOfThisProcessIn(inode) > 0;
    }

    /** How many threads of this process are in the namespace with this inode. */
    static int tasksOfThisProcessIn(long inode) throws Exception {
        int n = 0;
        try (var tasks = Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks.toList()) {
                try {
                    if (Namespaces.inode(t.resolve("ns/net")) == inode) {
                        n++;
                    }
                } catch (BpfException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return n;
    }
}

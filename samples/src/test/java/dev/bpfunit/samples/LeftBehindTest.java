package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.Cgroup;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Namespaces;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing a test made in the live kernel stays behind, whether the test JVM closes everything or is killed with
 * SIGKILL in the middle: a child JVM ({@link LeftBehindChild}) makes a veth pair in two namespaces, a cgroup with a
 * process, XDP, TCX, cgroup and socket attachments; this test looks only at what that child reports it made.
 */
class LeftBehindTest {

    @Test
    void nothingStaysAfterTheTestClosesItsFixtures() throws Exception {
        Map<String, String> made = runChild("close", false);
        assertGone(made);
        assertThat(Path.of(made.get("cgroup"))).doesNotExist();
    }

    @Test
    void nothingStaysAfterTheTestJvmIsKilledOnceTheNextRunCleansTheCgroups() throws Exception {
        Map<String, String> made = runChild("kill", true);
        assertGone(made);
        Path cgroup = Path.of(made.get("cgroup"));
        // A cgroup outlives the JVM that made it: the next run removes it (and kills what is in it).
        assertThat(Cgroup.removeStale()).contains(cgroup);
        assertThat(cgroup).doesNotExist();
        assertThat(running(Long.parseLong(made.get("sleeper")))).as("the process left in the cgroup runs").isFalse();
    }

    /** Starts the child, reads what it made; with {@code kill}, SIGKILLs it as soon as it has reported. */
    private static Map<String, String> runChild(String mode, boolean kill) throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(LeftBehindChild.class, mode)).redirectErrorStream(true)
                .start();
        String expected = kill ? "READY " : "CLOSED ";
        List<String> output = new ArrayList<>();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                output.add(line);
                if (line.startsWith(expected)) {
                    Map<String, String> made = new HashMap<>();
                    for (String kv : line.substring(expected.length()).split(" ")) {
                        String[] p = kv.split("=", 2);
                        made.put(p[0], p[1]);
                    }
                    if (kill) {
                        child.destroyForcibly();   // SIGKILL: no close, no shutdown hook, no Cleaner
                    }
                    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
                    return made;
                }
            }
            throw new AssertionError("the child ended without reporting: " + String.join("\n", output));
        } finally {
            child.destroyForcibly();
        }
    }

    /** The child's namespaces are not held by any task, its programs (and so its links) are freed. */
    private static void assertGone(Map<String, String> made) throws Exception {
        long[] inodes = Arrays.stream(made.get("netns").split(",")).mapToLong(Long::parseLong).toArray();
        int[] progs = Arrays.stream(made.get("progs").split(",")).mapToInt(Integer::parseInt).toArray();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            List<String> left = new ArrayList<>();
            for (long inode : inodes) {
                if (netnsInUse(inode)) {
                    left.add("network namespace " + inode);
                }
            }
            for (int id : progs) {
                if (programExists(id)) {
                    left.add("program id " + id);
                }
            }
            if (left.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still there 20 s after the child ended: " + left);
            }
            Thread.sleep(50);
        }
        String netns = run("ip", "netns", "list");
        assertThat(netns).doesNotContain("bpfunit");
    }

    /** Whether the process exists and is not a zombie (once killed, its new parent may reap it later). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    private static boolean programExists(int id) {
        return Samples.KernelIds.exists(id, Bpf::progGetNextId);
    }

    /** Whether some thread of some process is in the network namespace with this inode. */
    private static boolean netnsInUse(long inode) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                List<Path> tasks;
                try (Stream<Path> t = Files.list(proc.resolve("task"))) {
                    tasks = t.toList();
                } catch (IOException gone) {
                    continue;
                }
                for (Path task : tasks) {
                    try {
                        if (Namespaces.inode(task.resolve("ns/net")) == inode) {
                            return true;
                        }
                    } catch (BpfException gone) {
                        // the task ended meanwhile
                    }
                }
            }
        }
        return false;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}

package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.Hook;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.junit.RequiresHook;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM killed with SIGKILL while its programs are attached leaves nothing behind: {@code bpftool prog show} and
 * {@code bpftool link show} no longer find the ids it created (only those: other tests load programs meanwhile).
 */
@BpfTest("bpf/live_tracepoint.bpf.o")
@RequiresHook({Hook.TRACEPOINT, Hook.RAW_TRACEPOINT, Hook.UPROBE})
class NothingLeftBehindTest {

    @Test
    void aKilledJvmLeavesNoProgramOrLink() throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(LiveChildMain.class, object("live_tracepoint").toString(),
                object("live_uprobe").toString())).redirectErrorStream(true).start();
        List<Integer> progs = new ArrayList<>();
        List<Integer> links = new ArrayList<>();
        List<String> output = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            // a bound on a hang, not a timing check: a child JVM in a one-CPU TCG guest of the kernel matrix
            // (bpfunit.guest is set there) took over a minute to get its programs attached
            long patience = System.getProperty("bpfunit.guest") == null ? 60 : 600;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(patience);
            for (String line = out.readLine(); line != null && !line.equals("ready"); line = out.readLine()) {
                output.add(line);
                if (line.startsWith("prog ")) {
                    progs.addAll(ids(line));
                } else if (line.startsWith("link ")) {
                    links.addAll(ids(line));
                }
                assertThat(System.nanoTime()).as("the child's output so far: %s", output).isLessThan(deadline);
            }
            assertThat(progs).as("the child's output: %s", output).hasSize(4);   // tp, raw_tp, tp_btf, uprobe
            assertThat(links).hasSize(4);
            for (int id : links) {
                assertThat(Bpftool.exists("link", id)).as("link %d while the child lives", id).isTrue();
            }
        } finally {
            child.destroyForcibly();       // SIGKILL: no close(), no shutdown hook, no Cleaner
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);   // the kernel frees them asynchronously
        List<String> left;
        do {
            left = new ArrayList<>();
            for (int id : progs) {
                if (Bpftool.exists("prog", id)) {
                    left.add("prog " + id);
                }
            }
            for (int id : links) {
                if (Bpftool.exists("link", id)) {
                    left.add("link " + id);
                }
            }
            if (!left.isEmpty()) {
                Thread.sleep(100);
            }
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertThat(left).as("left behind by the killed JVM").isEmpty();
    }

    private static List<Integer> ids(String line) {
        String list = line.substring(line.indexOf(' ') + 1).trim();
        return list.isEmpty() ? List.of() : Arrays.stream(list.split(",")).map(Integer::valueOf).toList();
    }
}

package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Objects never closed keep their fds: with a low {@code ulimit -n} (in a child JVM, so that this one keeps its
 * own) loads eventually fail with EMFILE, which must be reported as what it is, with the fix, and never as a
 * defect of the object file ({@link dev.bpfunit.ElfFormatException}) or a {@link NoClassDefFoundError}.
 */
class OpenFilesLimitTest {

    @Test
    void runningOutOfFileDescriptorsSaysSoAndHowToFixIt() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the child JVM: the test JVM's native binding, and no restricted-method warning in its output on Java 24+
        Process p = new ProcessBuilder("bash", "-c", "ulimit -n 64 && exec \"$0\" --enable-native-access=ALL-UNNAMED "
                + "\"$2\" -cp \"$1\" dev.bpfunit.OpenFilesProbe", java, System.getProperty("java.class.path"),
                "-Dbpfunit.native=" + System.getProperty("bpfunit.native", "")).redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }

        List<String> lines = out.lines().toList();
        String fix = "this process has too many open files (its limit, ulimit -n, is reached): close the BpfObjects "
                + "you no longer need (try-with-resources; @BpfTest closes its own), or raise the limit (ulimit -n "
                + "65536 in the shell that starts the JVM)";
        assertThat(lines).as(out).anySatisfy(l -> assertThat(l).matches("FAILURE dev\\.bpfunit\\.(error\\.Bpf|ObjectLoad)Exception: .*")
                .contains("EMFILE (Too many open files): " + fix));
        assertThat(lines).as(out).anySatisfy(l -> assertThat(l).startsWith("READ FAILURE dev.bpfunit.error.BpfException: "
                + "object file ").contains("cannot be opened: EMFILE (Too many open files): " + fix));
        assertThat(out).doesNotContain("ElfFormatException").doesNotContain("NoClassDefFoundError");
    }
}

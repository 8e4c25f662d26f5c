package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest's mounts at host paths reach {@code /init}'s functions with every path as it was, whatever it holds. */
class MountsScriptTest {
    /** The shell the guest's {@code /init} runs in (busybox's), else the host's. */
    private static final String SHELL = Files.isExecutable(Path.of("/bin/busybox")) ? "/bin/busybox" : "/bin/sh";

    @Test
    void pathsWithSpacesQuotesAndNewlinesArriveWhole(@TempDir Path dir) throws Exception {
        List<QemuCommand.Share> shares = List.of(
                new QemuCommand.Share("tree", Path.of("/tmp/a clone"), true),
                new QemuCommand.Share("share0", Path.of("/tmp/a clone/test results (it's  here) "), false),
                new QemuCommand.Share("share1", Path.of("/srv/$HOME/`id`/line\nbreak\ttab"), false));
        String script = VmRunner.mountsScript(shares, Optional.of(Path.of("/root/.cache/bpfunit/k 1/boot")));
        Path file = dir.resolve("mounts.sh");
        Files.writeString(file, script);

        List<String> calls = runWithInitFunctions(file);

        assertThat(calls).containsExactly(
                "share|tree|ro|/tmp/a clone|",
                "share|share0|rw|/tmp/a clone/test results (it's  here) |",
                "share|share1|rw|/srv/$HOME/`id`/line\nbreak\ttab|",
                "bootdir|/root/.cache/bpfunit/k 1/boot|");
    }

    @Test
    void noSharesNoBootDirIsAnEmptyScript() {
        assertThat(VmRunner.mountsScript(List.of(), Optional.empty())).isEmpty();
    }

    /** Sources the script as {@code /init} does, with functions that print their arguments, NUL-separated. */
    private static List<String> runWithInitFunctions(Path script) throws IOException, InterruptedException {
        String stubs = "share() { printf 'share|%s|%s|%s|\\0' \"$1\" \"$2\" \"$3\"; }\n"
                + "bootdir() { printf 'bootdir|%s|\\0' \"$1\"; }\n"
                + ". " + CommandScript.quote(script.toString()) + "\n";
        List<String> command = SHELL.endsWith("busybox") ? List.of(SHELL, "sh", "-c", stubs) : List.of(SHELL, "-c", stubs);
        Process sh = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sh.waitFor()).as(out).isZero();
        return List.of(out.split("\0"));
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.VerifyCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What bpfunit shows of a program beyond a failure: its translated instructions, its graph, the command line. */
class ProgramInsightTest {

    // snippet:translated
    @Test
    void theCompilerKeptTheBoundsCheck() {
        try (BpfObject obj = BpfObject.load(Samples.object("xdp_fw"))) {
            BpfProgram fw = obj.program("xdp_fw");
            List<String> insns = fw.translatedInstructions();
            // the kernel's own instructions, under their source lines: the check against data_end is there
            assertThat(insns).anyMatch(l -> l.startsWith("; xdp_fw.bpf.c:"));
            assertThat(insns).anyMatch(l -> l.matches("\\d+: \\([0-9a-f]{2}\\) if r\\d+ > r\\d+ goto pc.*"));
            assertThat(insns).noneMatch(l -> l.matches(".*0xffff[0-9a-f]{12}\\b.*") && !l.contains("0xffffffffffffffff"));
            assertThat(fw.jitedSize()).isPositive();
        }
    }
    // end:translated

    @Test
    void theGraphOfLoopsCallsAndCallbacksRendersWithDot(@TempDir Path dir) throws Exception {
        StringBuilder all = new StringBuilder();
        for (String name : List.of("callback", "bpf2bpf", "rejected_unbounded_loop")) {
            String dot = dev.bpfunit.asm.ControlFlowGraph.of(BpfObject.loader(Samples.object(name)).spec()
                    .programs().get(0).instructions()).toDot(name, slot -> null, -1);
            all.append(dot);
            Path file = dir.resolve(name + ".dot");
            Files.writeString(file, dot);
            render(file);
        }
        assertThat(all.toString()).contains("style=dotted label=\"callback\"").contains("style=dashed label=\"call\"")
                .contains("label=\"jump\"");
    }

    private static void render(Path file) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("dot", "-Tsvg", "-o", file + ".svg", file.toString()).redirectErrorStream(true)
                    .start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "Graphviz dot is not installed (Debian: apt-get install graphviz)");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(Files.readString(Path.of(file + ".svg"))).contains("<svg");
    }

    @Test
    void theCommandLinePrintsTheDiagnosisAndExitsOne(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path dot = dir.resolve("g.dot");
        int status = VerifyCommand.run(new String[]{Samples.object("rejected_return_range").toString(), "--dot",
                dot.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isEqualTo(1);
        assertThat(text).contains("cause: RETURN_RANGE").contains("rejected_return_range.bpf.c:13");
        assertThat(dot).exists();
    }

    @Test
    void theCommandLineExitsZeroForAnAcceptedObjectAndTwoForAMissingProgram() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(VerifyCommand.run(new String[]{Samples.object("xdp_fw").toString()}, ps, ps)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("xdp_fw: accepted (");
        assertThat(VerifyCommand.run(new String[]{Samples.object("xdp_fw").toString(), "--program", "nope"}, ps, ps))
                .isEqualTo(2);
    }

    @Test
    void theLauncherScriptRunsTheCommand() throws Exception {
        Path script = Path.of(System.getProperty("user.dir")).resolveSibling("extension").resolve("bin/bpfunit-verify");
        assumeTrue(Files.isExecutable(script), "no launcher at " + script);
        // In a QEMU guest under TCG, the launcher's second JVM once crashed with SIGSEGV in C1-compiled JDK code
        // (emulation, not bpfunit); the launcher is the same on every kernel, so it is tested natively.
        String guest = System.getProperty("bpfunit.guest", "container");
        assumeTrue(guest.equals("container"), "the launcher starts a second JVM, which QEMU's TCG emulation crashed"
                + " once in the " + guest + " guest; tested natively and in the container");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), Samples.object("rejected_ctx_access").toString())
                .redirectErrorStream(true);
        pb.environment().put("BPFUNIT_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out).contains("cause: CONTEXT_ACCESS");
    }
}

package dev.bpfunit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfunit.BpfObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * What happens without CAP_BPF: a child JVM started by {@code setpriv} with every capability dropped runs a
 * {@link BpfTest} class through the engine, once as is (each test skipped, with how to run it) and once with
 * {@link BpfTest#REQUIRE} (failed).
 */
class UnprivilegedTest {

    @BpfTest("junit/counter.bpf.o")
    static class NeedsBpf {
        static BpfObject shared;

        @org.junit.jupiter.api.BeforeAll
        static void usesTheSharedObject() {
            shared.name();          // skipped where BPF is unusable, not a NullPointerException
        }

        @Test
        void test(BpfObject obj) {
        }

        @Test
        void another() {
        }
    }

    /** Runs in the child JVM: prints what happened to {@link NeedsBpf}. */
    public static void main(String[] args) {
        EngineExecutionResults r = Kit.run(NeedsBpf.class, Map.of(BpfTest.REQUIRE, args[0]));
        r.allEvents().skipped().stream().forEach(e -> System.out.println("SKIPPED "
                + e.getTestDescriptor().getDisplayName() + ": " + e.getPayload(String.class).orElse("")));
        r.allEvents().stream()
                .filter(e -> e.getPayload(org.junit.platform.engine.TestExecutionResult.class).isPresent())
                .forEach(e -> {
                    var result = e.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow();
                    if (result.getStatus() != org.junit.platform.engine.TestExecutionResult.Status.SUCCESSFUL) {
                        System.out.println(result.getStatus() + " " + result.getThrowable().map(Throwable::getMessage)
                                .orElse(""));
                    }
                });
    }

    static String runUnprivileged(String require) throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "needs util-linux setpriv to drop capabilities");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(setpriv.toString(), "--inh-caps=-all", "--bounding-set=-all", "--",
                java, "--enable-native-access=ALL-UNNAMED", "-Dbpfunit.native=" + System.getProperty("bpfunit.native", ""),
                "-cp", classpath.replace(File.pathSeparator + File.pathSeparator, File.pathSeparator),
                UnprivilegedTest.class.getName(), require)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void withoutCapBpfEachTestIsSkippedWithHowToRunThem() throws Exception {
        String out = runUnprivileged("false");
        String reason = "bpfunit cannot use BPF here: this process has neither CAP_BPF nor CAP_SYS_ADMIN";
        // each test skipped with the reason (so Surefire counts them), the class's @BeforeAll not run
        assertThat(out).contains("SKIPPED test(BpfObject): " + reason).contains("SKIPPED another(): " + reason)
                .contains("Run these tests as root (sudo mvn test)")
                .contains("skipped (set bpfunit.require=true to make this a failure)")
                .doesNotContain("FAILED").doesNotContain("ABORTED").doesNotContain("NullPointerException");
    }

    @Test
    void withRequireTheyFail() throws Exception {
        String out = runUnprivileged("true");
        assertThat(out).contains("FAILED bpfunit cannot use BPF here: this process has neither CAP_BPF nor "
                + "CAP_SYS_ADMIN").contains("failing because bpfunit.require=true").doesNotContain("ABORTED");
    }
}

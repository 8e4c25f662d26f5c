package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.bpfunit.vm.fixtures.NeedsBpf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@code bpfunit.fallback}: a JVM without capabilities (started by {@code setpriv}) runs a {@code @BpfTest} class
 * with every engine on the classpath; natively it is skipped saying where it runs instead, and the kernel-matrix
 * engine runs it in a privileged container, where it passes.
 */
class FallbackTest {

    /** Runs in the child JVM: the whole launcher on {@link NeedsBpf}, one line per test, and per container that did not succeed. */
    public static void main(String[] args) {
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(NeedsBpf.class))
                .configurationParameter(BpfKernels.FALLBACK, "container")
                .configurationParameter(BpfKernels.DIR, args[0]).build(), new TestExecutionListener() {
                    @Override
                    public void executionSkipped(TestIdentifier id, String reason) {
                        System.out.println("SKIPPED " + id.getLegacyReportingName() + ": " + reason);
                    }

                    @Override
                    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                        if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                            System.out.println(result.getStatus() + " " + id.getLegacyReportingName() + ": "
                                    + result.getThrowable().map(Throwable::getMessage).orElse(""));
                        }
                    }
                });
    }

    @Test
    void withoutCapBpfTheClassRunsInTheContainerInstead(@TempDir Path runs) throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "needs util-linux setpriv to drop capabilities");
        String classpath = String.join(":", HostClasspath.entries());
        Process p = new ProcessBuilder(List.of(setpriv.toString(), "--inh-caps=-all", "--bounding-set=-all", "--",
                GuestJava.currentJava().toString(), "-cp", classpath, FallbackTest.class.getName(), runs.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        // natively each test is reported skipped with the reason (no longer the class aborted)
        assertThat(out).contains("SKIPPED usesBpf(): bpfunit cannot use BPF here")
                .contains("skipped here, run on container by the kernel-matrix engine instead (bpfunit.fallback)")
                .contains("SUCCESSFUL [container] NeedsBpf > usesBpf(): ");
    }
}

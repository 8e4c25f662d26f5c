package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuestJavaTest {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void tcgGetsC1WithRaisedThresholdsAndSerialGc() {
        assertThat(GuestJava.command(Accelerator.TCG, List.of("-Xmx1g"), "/a.jar:/b", "x.Main", List.of("--scan")))
                .containsExactly(JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:CompileThresholdScaling=4",
                        "-Xmx1g", "-cp", "/a.jar:/b", "x.Main", "--scan");
    }

    @Test
    void kvmRunsTheJvmAsIs() {
        assertThat(GuestJava.command(Accelerator.KVM, List.of(), "/a.jar", "x.Main", List.of()))
                .containsExactly(JAVA, "-cp", "/a.jar", "x.Main");
    }

    @Test
    void configuredFlagsReplaceTheDefaultOnes() {
        assertThat(GuestJava.flags(Accelerator.TCG)).isEqualTo(GuestJava.TCG_FLAGS);
        assertThat(GuestJava.flags(Accelerator.KVM)).isEmpty();
        assertThat(KernelMatrixEngine.guestFlags(TestConfigurationParameters.of(Map.of()), Accelerator.TCG))
                .isEqualTo(GuestJava.TCG_FLAGS);
        List<String> flags = KernelMatrixEngine.guestFlags(
                TestConfigurationParameters.of(Map.of(BpfKernels.JVM, " -XX:+UseG1GC  -Xss1m ")), Accelerator.TCG);
        assertThat(flags).containsExactly("-XX:+UseG1GC", "-Xss1m");
        assertThat(GuestJava.command(flags, List.of("-Dx=1"), "/a.jar", "x.Main", List.of()))
                .containsExactly(JAVA, "-XX:+UseG1GC", "-Xss1m", "-Dx=1", "-cp", "/a.jar", "x.Main");
    }

    @Test
    void emptyClasspathIsRejected() {
        assertThatThrownBy(() -> GuestJava.command(Accelerator.TCG, List.of(), " ", "x.Main", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("classpath is empty");
    }
}

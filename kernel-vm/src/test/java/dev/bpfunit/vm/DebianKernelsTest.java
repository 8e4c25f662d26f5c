package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DebianKernelsTest {
    private static final List<String> APT = List.of(
            "linux-image-6.1.0-9-amd64", "linux-image-6.1.0-56-amd64", "linux-image-6.1.0-55-amd64",
            "linux-image-6.1.0-56-rt-amd64", "linux-image-6.1.0-56-cloud-amd64", "linux-image-6.1.0-56-amd64-dbg",
            "linux-image-6.1.0-56-amd64-unsigned", "linux-image-6.12-amd64", "linux-image-amd64",
            "linux-image-6.12.9+deb12-amd64", "linux-image-6.12.117+deb12-amd64", "linux-image-6.12.100+deb12-amd64",
            "linux-image-6.12-amd64-signed-template");

    @Test
    void picksTheNewestPackageOfASeries() {
        assertThat(DebianKernels.pickPackage("6.1", APT)).contains("linux-image-6.1.0-56-amd64");
        assertThat(DebianKernels.pickPackage("6.12", APT)).contains("linux-image-6.12.117+deb12-amd64");
    }

    @Test
    void picksAnExactReleaseOrPackage() {
        assertThat(DebianKernels.pickPackage("6.12.100", APT)).contains("linux-image-6.12.100+deb12-amd64");
        assertThat(DebianKernels.pickPackage("6.1.0-55-amd64", APT)).contains("linux-image-6.1.0-55-amd64");
        assertThat(DebianKernels.pickPackage("linux-image-6.1.0-9-amd64", APT)).contains("linux-image-6.1.0-9-amd64");
    }

    @Test
    void matchesWholeVersionComponentsOnly() {
        assertThat(DebianKernels.pickPackage("5.10", APT)).isEmpty();
        assertThat(DebianKernels.pickPackage("6.12.1", APT)).isEmpty();
        assertThat(DebianKernels.pickPackage("6", APT)).contains("linux-image-6.12.117+deb12-amd64");
    }

    @Test
    void comparesVersionsNumerically() {
        assertThat(DebianKernels.compareVersions("6.12.9+deb12", "6.12.100+deb12")).isNegative();
        assertThat(DebianKernels.compareVersions("6.1.0-56", "6.1.0-9")).isPositive();
        assertThat(DebianKernels.compareVersions("6.1.0-56", "6.1.0-56")).isZero();
    }
}

package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void aptsListOfKernelsIsKeptUntilAptsListsOrDpkgsStatusChange(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(HostTools.onPath("apt-cache").isPresent(), "apt-cache is not on the PATH");
        Path cache = dir.resolve("kernels");
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Path packages = Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"),
                "Package: linux-image-6.1.0-57-amd64\n");
        Path status = Files.writeString(dir.resolve("status"), "Package: dpkg\n");
        DebianKernels kernels = new DebianKernels(cache, lists, status);

        List<String> fromApt = kernels.aptPackages();
        Path listing = cache.resolve(DebianKernels.APT_LISTING);
        List<String> kept = Files.readAllLines(listing);
        assertThat(kept.get(0)).startsWith("key ");
        assertThat(kept.subList(1, kept.size())).isEqualTo(fromApt);

        // unchanged lists: the kept list is the answer (apt is not asked: it knows no such kernel)
        Files.write(listing, List.of(kept.get(0), "linux-image-9.9.9-1-amd64"));
        assertThat(kernels.aptPackages()).containsExactly("linux-image-9.9.9-1-amd64");

        // apt-get update rewrote a list: apt is asked again
        Files.writeString(packages, "Package: linux-image-6.1.0-58-amd64\n");
        assertThat(kernels.aptPackages()).isEqualTo(fromApt).doesNotContain("linux-image-9.9.9-1-amd64");

        // so does a package installed or removed (dpkg's status)
        Files.write(listing, List.of(Files.readAllLines(listing).get(0), "linux-image-9.9.9-1-amd64"));
        assertThat(kernels.aptPackages()).containsExactly("linux-image-9.9.9-1-amd64");
        Files.writeString(status, "Package: dpkg\nPackage: linux-image-6.1.0-57-amd64\n");
        assertThat(kernels.aptPackages()).isEqualTo(fromApt);
    }
}

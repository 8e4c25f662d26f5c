package dev.bpfunit.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.bpfunit.BpfObject;
import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.instrument.CoverageStore;
import dev.bpfunit.junit.BpfTest;
import dev.bpfunit.vm.fixtures.CoverageInGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The kernel matrix carries each guest's coverage back: the host runs guest_coverage.bpf.o's short path natively,
 * a real guest (the container: the host's kernel in another JVM; then QEMU guests booting Debian's 6.1 and 6.12)
 * runs its long path, and the host's reports merge both, with each kernel's counts apart.
 */
class MatrixCoverageTest {
    @TempDir
    Path runs;
    @TempDir
    Path reports;

    @Test
    void aGuestsCoverageIsMergedWithTheNativeRunsPerKernel() throws Exception {
        Path object = Path.of(CoverageInGuest.class.getResource("/bpf/guest_coverage.bpf.o").toURI());
        try (BpfObject obj = BpfObject.loader(object).coverage(true).load()) {
            assertThat(obj.program("by_length").run(new byte[64]).retval()).isEqualTo(2);     // XDP_PASS
            CoverageStore.save(reports, CoverageStore.HOST, CoverageStore.release(), obj.coverage());
        }

        EngineTestKit.engine(new KernelMatrixEngine()).selectors(selectClass(CoverageInGuest.class))
                .configurationParameter(BpfKernels.DIR, runs.toString())
                .configurationParameter(BpfKernels.KERNELS, "container")
                .configurationParameter(BpfTest.COVERAGE, "true")
                .configurationParameter(BpfTest.COVERAGE_DIR, reports.toString())
                .configurationParameter(BpfTest.COVERAGE_SOURCES, Path.of("src/test/bpf").toAbsolutePath().toString())
                .execute().testEvents().assertStatistics(s -> s.succeeded(1).failed(0).aborted(0));

        assertThat(runs.resolve("container/coverage/kernels/container.coverage")).as("the guest's own data").exists();
        List<CoverageData.Stored> stored = CoverageStore.load(reports);
        assertThat(stored).extracting(CoverageData.Stored::kernel).containsExactly("host", "container");
        Map<String, Long> shortHits = new LinkedHashMap<>();
        Map<String, Long> longHits = new LinkedHashMap<>();
        for (CoverageData.Stored s : stored) {
            CoverageData.FileCoverage f = s.data().file("guest_coverage.bpf.c").orElseThrow();
            shortHits.put(s.kernel(), hits(f, "short_packets++"));
            longHits.put(s.kernel(), hits(f, "long_bytes += len"));
        }
        assertThat(shortHits).containsExactly(Map.entry("host", 1L), Map.entry("container", 0L));
        assertThat(longHits).containsExactly(Map.entry("host", 0L), Map.entry("container", 1L));

        // the reports the engine wrote: merged (both paths covered), each kernel apart
        String lcov = Files.readString(reports.resolve("lcov.info"));
        assertThat(lcov).contains("TN:host\nSF:" + Path.of("src/test/bpf/guest_coverage.bpf.c").toAbsolutePath())
                .contains("TN:container\nSF:");
        String cobertura = Files.readString(reports.resolve("cobertura.xml"));
        int longLine = line(stored.get(0), "long_bytes += len");
        int shortLine = line(stored.get(0), "short_packets++");
        assertThat(cobertura).contains("<line number=\"" + longLine + "\" hits=\"1\"")
                .contains("<line number=\"" + shortLine + "\" hits=\"1\"");
        String index = Files.readString(reports.resolve("index.html"));
        assertThat(index).contains("<td>host</td>").contains("<td>container</td>");
        String page = Files.readString(reports.resolve("guest_coverage.bpf.c.html"));
        assertThat(page).contains("<th title=\"container (").contains(">container</th>");
    }

    /** The same through QEMU guests booting Debian's kernels: their run directory is a writable 9p mount. */
    @ParameterizedTest
    @ValueSource(strings = {"6.1", "6.12"})
    void aQemuGuestsCoverageComesBackAsWell(String kernel) throws Exception {
        Path object = Path.of(CoverageInGuest.class.getResource("/bpf/guest_coverage.bpf.o").toURI());
        try (BpfObject obj = BpfObject.loader(object).coverage(true).load()) {
            obj.program("by_length").run(new byte[64]);
            CoverageStore.save(reports, CoverageStore.HOST, CoverageStore.release(), obj.coverage());
        }

        EngineTestKit.engine(new KernelMatrixEngine()).selectors(selectClass(CoverageInGuest.class))
                .configurationParameter(BpfKernels.DIR, runs.toString())
                .configurationParameter(BpfKernels.KERNELS, kernel)
                .configurationParameter(BpfKernels.RESIDENT, "false") // see KernelMatrixEngineTest.kit
                .configurationParameter(BpfTest.COVERAGE, "true")
                .configurationParameter(BpfTest.COVERAGE_DIR, reports.toString())
                .execute().testEvents().assertStatistics(s -> s.succeeded(1).failed(0).aborted(0));

        List<CoverageData.Stored> stored = CoverageStore.load(reports);
        assertThat(stored).extracting(CoverageData.Stored::kernel).containsExactly("host", kernel);
        assertThat(stored.get(1).release()).as("the guest's kernel").startsWith(kernel + ".");
        assertThat(hits(stored.get(1).data().file("guest_coverage.bpf.c").orElseThrow(), "long_bytes += len"))
                .isEqualTo(1);
        assertThat(Files.readString(reports.resolve("lcov.info"))).contains("TN:host\n").contains("TN:kernel_" + kernel.replace('.', '_') + "\n");
    }

    private static long hits(CoverageData.FileCoverage f, String text) {
        return f.lines().values().stream().filter(l -> l.text().contains(text)).findFirst().orElseThrow().hits();
    }

    private static int line(CoverageData.Stored s, String text) {
        return s.data().file("guest_coverage.bpf.c").orElseThrow().lines().values().stream()
                .filter(l -> l.text().contains(text)).findFirst().orElseThrow().line();
    }
}

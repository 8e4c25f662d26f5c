package dev.bpfunit.junit;

import dev.bpfunit.CoverageRecorder;
import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.instrument.CoverageReports;
import dev.bpfunit.instrument.CoverageStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Writes the run's coverage reports when JUnit closes the root context, that is when the run ends. */
final class CoverageReport implements ExtensionContext.Store.CloseableResource {

    private final Path dir;
    private final List<Path> sources;
    private final String kernel;

    private CoverageReport(Path dir, List<Path> sources, String kernel) {
        this.dir = dir;
        this.sources = sources;
        this.kernel = kernel;
    }

    static CoverageReport of(ExtensionContext context) {
        Path dir = Path.of(Settings.get(context, BpfTest.COVERAGE_DIR).filter(s -> !s.isEmpty())
                .orElse(BpfTest.DEFAULT_COVERAGE_DIR));
        List<Path> sources = Arrays.stream(Settings.get(context, BpfTest.COVERAGE_SOURCES).filter(s -> !s.isEmpty())
                .orElse(BpfTest.DEFAULT_COVERAGE_SOURCES).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        String kernel = Settings.get(context, BpfTest.COVERAGE_KERNEL).map(String::trim).filter(s -> !s.isEmpty())
                .orElse(CoverageStore.HOST);
        return new CoverageReport(dir, sources, kernel);
    }

    @Override
    public void close() {
        CoverageData data = CoverageRecorder.global().data();
        if (data.isEmpty()) {
            System.out.println("bpfunit coverage: no instrumented program was loaded");
            return;
        }
        // this run's data beside the other kernels' (the kernel matrix's guests), and the reports of them all
        CoverageStore.save(dir, kernel, CoverageStore.release(), data);
        List<CoverageData.Stored> runs = CoverageStore.load(dir);
        CoverageData merged = new CoverageReports(sources).writeKernels(runs, dir);
        System.out.println(data.summary() + " on " + kernel + "; report: " + dir.resolve("index.html")
                .toAbsolutePath());
        if (runs.size() > 1) {
            System.out.println(merged.summary() + " on " + runs.stream().map(CoverageData.Stored::kernel)
                    .collect(java.util.stream.Collectors.joining(", ")) + " merged");
        }
        data.notes().forEach(n -> System.out.println("bpfunit coverage: " + n));
    }
}

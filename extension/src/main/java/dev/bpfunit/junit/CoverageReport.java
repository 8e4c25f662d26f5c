package dev.bpfunit.junit;

import dev.bpfunit.CoverageRecorder;
import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.instrument.CoverageReports;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Writes the run's coverage reports when JUnit closes the root context, that is when the run ends. */
final class CoverageReport implements ExtensionContext.Store.CloseableResource {

    private final Path dir;
    private final List<Path> sources;

    private CoverageReport(Path dir, List<Path> sources) {
        this.dir = dir;
        this.sources = sources;
    }

    static CoverageReport of(ExtensionContext context) {
        Path dir = Path.of(Settings.get(context, BpfTest.COVERAGE_DIR).filter(s -> !s.isEmpty())
                .orElse(BpfTest.DEFAULT_COVERAGE_DIR));
        List<Path> sources = Arrays.stream(Settings.get(context, BpfTest.COVERAGE_SOURCES).filter(s -> !s.isEmpty())
                .orElse(BpfTest.DEFAULT_COVERAGE_SOURCES).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        return new CoverageReport(dir, sources);
    }

    @Override
    public void close() {
        CoverageData data = CoverageRecorder.global().data();
        if (data.isEmpty()) {
            System.out.println("bpfunit coverage: no instrumented program was loaded");
            return;
        }
        new CoverageReports(sources).writeAll(data, dir);
        System.out.println(data.summary() + "; report: " + dir.resolve("index.html").toAbsolutePath());
        data.notes().forEach(n -> System.out.println("bpfunit coverage: " + n));
    }
}

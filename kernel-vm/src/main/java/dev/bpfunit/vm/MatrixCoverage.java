package dev.bpfunit.vm;

import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.instrument.CoverageReports;
import dev.bpfunit.instrument.CoverageStore;
import dev.bpfunit.junit.BpfTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.ConfigurationParameters;

/**
 * Carries the coverage each guest of the kernel matrix recorded back to the host: each guest writes its data (and
 * its own reports) to {@code <run dir>/coverage}, which the host copies into its coverage directory as
 * {@code kernels/<kernel>.coverage} beside the native run's {@code host.coverage}, then writes the reports of all
 * of them, merged, with a column per kernel (see {@link CoverageReports#writeKernels}).
 */
final class MatrixCoverage {
    /** The guest's coverage directory, under its run directory. */
    static final String GUEST_DIR = "coverage";

    private final Path reportDir;
    private final List<Path> sources;
    private final List<String> collected = new ArrayList<>();

    private MatrixCoverage(Path reportDir, List<Path> sources) {
        this.reportDir = reportDir;
        this.sources = sources;
    }

    /** Where the host's reports go, and where sources are looked up: the extension's settings. */
    static MatrixCoverage of(ConfigurationParameters config) {
        Path dir = Path.of(KernelMatrixEngine.setting(config, BpfTest.COVERAGE_DIR)
                .orElse(BpfTest.DEFAULT_COVERAGE_DIR)).toAbsolutePath().normalize();
        List<Path> sources = Arrays.stream(KernelMatrixEngine.setting(config, BpfTest.COVERAGE_SOURCES)
                .orElse(BpfTest.DEFAULT_COVERAGE_SOURCES).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Path::of).toList();
        return new MatrixCoverage(dir, sources);
    }

    /** The request's settings for a guest: its coverage goes to its run directory, named after its kernel. */
    static void request(Properties request, Path runDir, MatrixTarget target) {
        request.setProperty(BpfTest.COVERAGE_DIR, runDir.resolve(GUEST_DIR).toString());
        request.setProperty(BpfTest.COVERAGE_KERNEL, target.fileName());
    }

    /** Before a guest runs: what an earlier run left in its coverage directory goes, so it is never taken again. */
    static void clear(Path runDir) throws IOException {
        Path kernels = runDir.resolve(GUEST_DIR).resolve(CoverageStore.KERNELS_DIR);
        if (Files.isDirectory(kernels)) {
            try (Stream<Path> s = Files.list(kernels)) {
                for (Path f : s.toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** After a guest ran: copies its coverage data, if it recorded any, into the host's coverage directory. */
    synchronized void collect(Path runDir) {   // kernels may run at once (MatrixPlan)
        try {
            collected.addAll(CoverageStore.copy(runDir.resolve(GUEST_DIR), reportDir));
        } catch (UncheckedIOException e) {
            System.err.println("bpfunit kernel matrix: " + e.getMessage());
        }
    }

    /** After the matrix: the reports of every kernel's data (the native run's too), when a guest recorded any. */
    synchronized void writeReports() {
        if (collected.isEmpty()) {
            return;
        }
        try {
            List<CoverageData.Stored> runs = CoverageStore.load(reportDir);
            CoverageData merged = new CoverageReports(sources).writeKernels(runs, reportDir);
            System.out.println(merged.summary() + " on " + runs.stream().map(r -> r.kernel() + " (" + r.release()
                    + ")").collect(Collectors.joining(", ")) + " merged; report: "
                    + reportDir.resolve("index.html"));
        } catch (UncheckedIOException | dev.bpfunit.error.BpfException e) {
            System.err.println("bpfunit kernel matrix: the guests' coverage could not be merged into " + reportDir
                    + ": " + e.getMessage());
        }
    }
}

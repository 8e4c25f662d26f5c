package dev.bpfunit.instrument;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The coverage data of each kernel a suite ran on, kept beside the reports as {@code kernels/<kernel>.coverage}
 * (see {@link CoverageData#write}): the native run writes {@code host.coverage}, each kernel-matrix guest its own
 * ({@code 6.1.coverage}, {@code 6.12.coverage}, {@code container.coverage}), which the host copies in; the reports
 * are written from all of them, merged, with each kernel's counts beside.
 */
public final class CoverageStore {
    /** The directory, under the report directory, that holds one data file per kernel. */
    public static final String KERNELS_DIR = "kernels";
    /** The data files' suffix. */
    public static final String SUFFIX = ".coverage";
    /** The label of the native run (not in a kernel-matrix guest). */
    public static final String HOST = "host";

    private CoverageStore() {
    }

    /** The data file of {@code kernel} under the report directory. */
    public static Path file(Path reportDir, String kernel) {
        return reportDir.resolve(KERNELS_DIR).resolve(kernel.replaceAll("[^A-Za-z0-9._-]", "_") + SUFFIX);
    }

    /** Saves one kernel's data, replacing what an earlier run on that kernel saved. */
    public static Path save(Path reportDir, String kernel, String release, CoverageData data) {
        Path f = file(reportDir, kernel);
        data.write(f, kernel, release);
        return f;
    }

    /** Every kernel's data under the report directory: the host's first, then by kernel label. */
    public static List<CoverageData.Stored> load(Path reportDir) {
        List<CoverageData.Stored> out = new ArrayList<>();
        for (Path f : files(reportDir)) {
            out.add(CoverageData.read(f));
        }
        out.sort(Comparator.comparing((CoverageData.Stored s) -> !s.kernel().equals(HOST))
                .thenComparing(CoverageData.Stored::kernel));
        return out;
    }

    /** Copies the kernel data files of one report directory into another (a guest's into the host's). */
    public static List<String> copy(Path fromReportDir, Path toReportDir) {
        List<String> copied = new ArrayList<>();
        for (Path f : files(fromReportDir)) {
            Path to = toReportDir.resolve(KERNELS_DIR).resolve(f.getFileName().toString());
            try {
                Files.createDirectories(to.getParent());
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the coverage data " + f + " to " + to + ": "
                        + e.getMessage(), e);
            }
            copied.add(f.getFileName().toString());
        }
        return copied;
    }

    private static List<Path> files(Path reportDir) {
        Path dir = reportDir.resolve(KERNELS_DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new BpfException("cannot list the coverage data in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** This kernel's release ({@code uname -r}), or {@code unknown}. */
    public static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }
}

package dev.bpfunit.instrument;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes {@link CoverageData} as an HTML report with the annotated source (green: ran, yellow: partly, red: not),
 * as LCOV ({@code lcov.info}, for genhtml and IDEs) and as Cobertura XML ({@code cobertura.xml}, for CI systems).
 *
 * <p>The C source is looked up by the file name that line info gives (clang records it as it was given on the
 * command line): as is when absolute, then under each source directory, with its path and then by its last
 * element. A file not found is still reported, from the source lines BTF keeps.
 */
public final class CoverageReports {

    private final List<Path> sourceDirs;

    /** A writer looking for sources under these directories. */
    public CoverageReports(List<Path> sourceDirs) {
        this.sourceDirs = List.copyOf(sourceDirs);
    }

    /** One kernel's coverage in a report of several: its label, release and files by name. */
    private record Kernel(String label, String release, CoverageData data,
                          java.util.Map<String, CoverageData.FileCoverage> files) {
        String title() {
            return label + " (" + release + ")";
        }
    }

    /** Writes {@code index.html}, one page per source file, {@code lcov.info} and {@code cobertura.xml}. */
    public void writeAll(CoverageData data, Path dir) {
        write(data, List.of(), dir);
    }

    /**
     * Writes the reports of several kernels' runs of a suite (the native run and the kernel matrix's guests):
     * the counts merged, and each kernel's beside them: a column per kernel in the HTML pages and the index, and in
     * {@code lcov.info} one record per kernel and file, named by the test name {@code TN:} (genhtml adds them up and
     * can show them apart). Cobertura has no such notion and gets the merged counts. Returns the merged data.
     */
    public CoverageData writeKernels(List<CoverageData.Stored> runs, Path dir) {
        CoverageData merged = new CoverageData();
        List<Kernel> kernels = new ArrayList<>();
        for (CoverageData.Stored run : runs) {
            merged.addAll(run.data());
            java.util.Map<String, CoverageData.FileCoverage> files = new java.util.LinkedHashMap<>();
            run.data().files().forEach(f -> files.put(f.file(), f));
            kernels.add(new Kernel(run.kernel(), run.release(), run.data(), files));
        }
        write(merged, kernels, dir);
        return merged;
    }

    private void write(CoverageData data, List<Kernel> kernels, Path dir) {
        try {
            Files.createDirectories(dir);
            List<CoverageData.FileCoverage> files = data.files();
            String lcov = kernels.size() < 2 ? lcov(files) : kernels.stream()
                    .map(k -> lcov(List.copyOf(k.files().values()), testName(k.label())))
                    .collect(Collectors.joining());
            Files.writeString(dir.resolve("lcov.info"), lcov, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("cobertura.xml"), cobertura(files), StandardCharsets.UTF_8);
            html(data, files, kernels, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the coverage report to " + dir.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }

    /** An LCOV test name (letters, digits and underscores) for a kernel: {@code kernel_6_1}, {@code host}. */
    static String testName(String kernel) {
        String name = kernel.replaceAll("[^A-Za-z0-9_]", "_");
        return Character.isLetter(name.isEmpty() ? '0' : name.charAt(0)) ? name : "kernel_" + name;
    }

    /** The source file a line-info file name stands for, if it is found. */
    public Optional<Path> locate(String file) {
        Path given = Path.of(file);
        if (given.isAbsolute() && Files.isRegularFile(given)) {
            return Optional.of(given);
        }
        for (Path d : sourceDirs) {
            for (Path p : List.of(d.resolve(file.startsWith("/") ? file.substring(1) : file),
                    d.resolve(Instrumenter.shortName(file)))) {
                if (Files.isRegularFile(p)) {
                    return Optional.of(p.toAbsolutePath().normalize());
                }
            }
        }
        return Optional.empty();
    }

    /** LCOV tracefile text: one record per source file with DA, BRDA, LF/LH and BRF/BRH lines. */
    public String lcov(List<CoverageData.FileCoverage> files) {
        return lcov(files, "");
    }

    private String lcov(List<CoverageData.FileCoverage> files, String testName) {
        StringBuilder b = new StringBuilder();
        for (CoverageData.FileCoverage f : files) {
            b.append("TN:").append(testName).append("\nSF:").append(locate(f.file()).map(Path::toString).orElse(f.file())).append('\n');
            for (CoverageData.LineCoverage l : f.lines().values()) {
                int block = 0;
                for (CoverageData.BranchCoverage br : l.branches()) {
                    boolean ran = br.taken() + br.notTaken() > 0;
                    b.append("BRDA:").append(l.line()).append(',').append(block).append(",0,")
                            .append(ran ? Long.toString(br.taken()) : "-").append('\n');
                    b.append("BRDA:").append(l.line()).append(',').append(block).append(",1,")
                            .append(ran ? Long.toString(br.notTaken()) : "-").append('\n');
                    block++;
                }
            }
            for (CoverageData.LineCoverage l : f.lines().values()) {
                b.append("DA:").append(l.line()).append(',').append(l.hits()).append('\n');
            }
            b.append("BRF:").append(f.branchesFound()).append("\nBRH:").append(f.branchesHit()).append('\n');
            b.append("LF:").append(f.linesFound()).append("\nLH:").append(f.linesHit()).append('\n');
            b.append("end_of_record\n");
        }
        return b.toString();
    }

    /** Cobertura XML (coverage-04.dtd): one package, one class per source file, one line element per line. */
    public String cobertura(List<CoverageData.FileCoverage> files) {
        int lf = files.stream().mapToInt(CoverageData.FileCoverage::linesFound).sum();
        int lh = files.stream().mapToInt(CoverageData.FileCoverage::linesHit).sum();
        int bf = files.stream().mapToInt(CoverageData.FileCoverage::branchesFound).sum();
        int bh = files.stream().mapToInt(CoverageData.FileCoverage::branchesHit).sum();
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n");
        b.append(String.format(Locale.ROOT, "<coverage line-rate=\"%s\" branch-rate=\"%s\" lines-covered=\"%d\" "
                + "lines-valid=\"%d\" branches-covered=\"%d\" branches-valid=\"%d\" complexity=\"0\" "
                + "version=\"bpfunit\" timestamp=\"%d\">\n", rate(lh, lf), rate(bh, bf), lh, lf, bh, bf,
                System.currentTimeMillis() / 1000));
        b.append("  <sources>\n");
        for (Path d : sourceDirs) {
            b.append("    <source>").append(xml(d.toAbsolutePath().normalize().toString())).append("</source>\n");
        }
        b.append("  </sources>\n  <packages>\n");
        b.append(String.format(Locale.ROOT, "    <package name=\"bpf\" line-rate=\"%s\" branch-rate=\"%s\" "
                + "complexity=\"0\">\n      <classes>\n", rate(lh, lf), rate(bh, bf)));
        for (CoverageData.FileCoverage f : files) {
            String name = relativeName(f.file());
            b.append(String.format(Locale.ROOT, "        <class name=\"%s\" filename=\"%s\" line-rate=\"%s\" "
                    + "branch-rate=\"%s\" complexity=\"0\">\n          <methods/>\n          <lines>\n",
                    xml(Instrumenter.shortName(f.file())), xml(name), rate(f.linesHit(), f.linesFound()),
                    rate(f.branchesHit(), f.branchesFound())));
            for (CoverageData.LineCoverage l : f.lines().values()) {
                b.append("            <line number=\"").append(l.line()).append("\" hits=\"").append(l.hits())
                        .append('"');
                if (!l.branches().isEmpty()) {
                    int found = 2 * l.branches().size();
                    int hit = l.branches().stream().mapToInt(x -> (x.taken() > 0 ? 1 : 0) + (x.notTaken() > 0 ? 1 : 0))
                            .sum();
                    b.append(String.format(Locale.ROOT, " branch=\"true\" condition-coverage=\"%d%% (%d/%d)\"",
                            Math.round(100.0 * hit / found), hit, found));
                } else {
                    b.append(" branch=\"false\"");
                }
                b.append("/>\n");
            }
            b.append("          </lines>\n        </class>\n");
        }
        b.append("      </classes>\n    </package>\n  </packages>\n</coverage>\n");
        return b.toString();
    }

    /** The file's name relative to the source directory it was found in (Cobertura's sources + filename). */
    private String relativeName(String file) {
        Optional<Path> found = locate(file);
        if (found.isPresent()) {
            for (Path d : sourceDirs) {
                Path abs = d.toAbsolutePath().normalize();
                if (found.get().startsWith(abs)) {
                    return abs.relativize(found.get()).toString();
                }
            }
        }
        return file;
    }

    private void html(CoverageData data, List<CoverageData.FileCoverage> files, List<Kernel> kernels, Path dir)
            throws IOException {
        StringBuilder index = new StringBuilder(head("bpfunit coverage"));
        index.append("<h1>bpfunit coverage</h1>\n<p>").append(esc(data.summary())).append("</p>\n");
        if (!kernels.isEmpty()) {
            index.append("<h2>Kernels</h2>\n<table class=\"files\"><tr><th>Run</th><th>Kernel</th><th>Coverage</th>"
                    + "</tr>\n");
            for (Kernel k : kernels) {
                index.append("<tr><td>").append(esc(k.label())).append("</td><td>").append(esc(k.release()))
                        .append("</td><td>").append(esc(k.data().summary().replace("bpfunit coverage: ", "")))
                        .append("</td></tr>\n");
            }
            index.append("</table>\n<h2>Files (all kernels)</h2>\n");
        }
        index.append("<table class=\"files\"><tr><th>File</th><th>Lines</th><th></th><th>Branches</th><th></th>");
        for (Kernel k : kernels) {
            index.append("<th>lines on ").append(esc(k.label())).append("</th>");
        }
        index.append("</tr>\n");
        for (CoverageData.FileCoverage f : files) {
            String page = pageName(f.file());
            index.append("<tr><td><a href=\"").append(esc(page)).append("\">").append(esc(f.file()))
                    .append("</a></td><td>").append(f.linesHit()).append('/').append(f.linesFound())
                    .append("</td><td>").append(CoverageData.percent(f.linesHit(), f.linesFound()))
                    .append("</td><td>").append(f.branchesHit()).append('/').append(f.branchesFound())
                    .append("</td><td>").append(CoverageData.percent(f.branchesHit(), f.branchesFound()))
                    .append("</td>");
            for (Kernel k : kernels) {
                CoverageData.FileCoverage kf = k.files().get(f.file());
                index.append("<td>").append(kf == null ? "not loaded" : kf.linesHit() + "/" + kf.linesFound())
                        .append("</td>");
            }
            index.append("</tr>\n");
            Files.writeString(dir.resolve(page), filePage(f, kernels), StandardCharsets.UTF_8);
        }
        index.append("</table>\n");
        if (!data.notes().isEmpty()) {
            index.append("<h2>Not instrumented exactly</h2>\n<ul>\n");
            for (String n : data.notes()) {
                index.append("<li>").append(esc(n)).append("</li>\n");
            }
            index.append("</ul>\n");
        }
        Files.writeString(dir.resolve("index.html"), index.append("</body></html>\n").toString(),
                StandardCharsets.UTF_8);
    }

    private String filePage(CoverageData.FileCoverage f, List<Kernel> kernels) {
        Optional<Path> source = locate(f.file());
        List<String> text = new ArrayList<>();
        if (source.isPresent()) {
            try {
                text = Files.readAllLines(source.get(), StandardCharsets.UTF_8);
            } catch (IOException | UncheckedIOException e) {
                source = Optional.empty();
            }
        }
        int last = Math.max(text.size(), f.lines().isEmpty() ? 0 : f.lines().lastKey());
        StringBuilder b = new StringBuilder(head(f.file()));
        b.append("<h1>").append(esc(f.file())).append("</h1>\n<p>lines ").append(f.linesHit()).append('/')
                .append(f.linesFound()).append(", branches ").append(f.branchesHit()).append('/')
                .append(f.branchesFound()).append(source.map(p -> "; source: " + esc(p.toString()))
                        .orElse("; source file not found under the source directories: lines from BTF"))
                .append("</p>\n<table class=\"src\">\n");
        if (!kernels.isEmpty()) {
            b.append("<tr><th>line</th><th>hits</th><th>branches</th>");
            for (Kernel k : kernels) {
                b.append("<th title=\"").append(esc(k.title())).append("\">").append(esc(k.label())).append("</th>");
            }
            b.append("<th>source</th></tr>\n");
        }
        for (int n = 1; n <= last; n++) {
            CoverageData.LineCoverage l = f.lines().get(n);
            String code = n <= text.size() ? text.get(n - 1) : l != null ? l.text() : "";
            if (source.isEmpty() && l == null) {
                continue;
            }
            String cls = l == null ? "" : !l.covered() ? "nc" : l.partial() ? "pc" : "fc";
            b.append("<tr id=\"L").append(n).append("\"><td class=\"n\">").append(n).append("</td><td class=\"h\">")
                    .append(l == null ? "" : Long.toString(l.hits())).append("</td><td class=\"b\">")
                    .append(l == null ? "" : branchText(l)).append("</td>");
            for (Kernel k : kernels) {
                CoverageData.FileCoverage kf = k.files().get(f.file());
                CoverageData.LineCoverage kl = kf == null || l == null ? null : kf.lines().get(n);
                b.append("<td class=\"k\"");
                if (kl != null) {
                    b.append(" title=\"").append(esc(k.title() + ": " + tooltip(kl))).append('"');
                }
                b.append('>').append(l == null ? "" : kl == null ? "-" : Long.toString(kl.hits())).append("</td>");
            }
            b.append("<td class=\"").append(cls).append('"');
            if (l != null) {
                b.append(" title=\"").append(esc(tooltip(l))).append('"');
            }
            b.append("><pre>").append(esc(code)).append("</pre></td></tr>\n");
        }
        return b.append("</table>\n</body></html>\n").toString();
    }

    private static String branchText(CoverageData.LineCoverage l) {
        if (l.branches().isEmpty()) {
            return "";
        }
        int found = 2 * l.branches().size();
        int hit = l.branches().stream().mapToInt(x -> (x.taken() > 0 ? 1 : 0) + (x.notTaken() > 0 ? 1 : 0)).sum();
        return hit + "/" + found;
    }

    private static String tooltip(CoverageData.LineCoverage l) {
        StringBuilder t = new StringBuilder();
        t.append(l.coveredInstructions()).append(" of ").append(l.instructions()).append(" instructions ran; hits ")
                .append(l.hits());
        for (CoverageData.BranchCoverage br : l.branches()) {
            t.append("; branch at insn ").append(br.slot()).append(" of ").append(br.program()).append(": jumped ")
                    .append(br.taken()).append(", fell through ").append(br.notTaken())
                    .append(br.exact() ? "" : " (ran/not ran only)");
        }
        if (!l.tests().isEmpty()) {
            t.append("; covered by ").append(l.tests().stream().collect(Collectors.joining(", ")));
        }
        return t.toString();
    }

    private static String pageName(String file) {
        return Instrumenter.shortName(file).replaceAll("[^A-Za-z0-9._-]", "_") + ".html";
    }

    private static String head(String title) {
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n<style>"
                + "body{font-family:sans-serif} table.src{border-collapse:collapse;font-family:monospace}"
                + " table.src td{padding:0 6px;vertical-align:top} pre{margin:0}"
                + " td.n,td.h,td.b,td.k{color:#777;text-align:right} .fc{background:#ccffcc} .pc{background:#ffffaa}"
                + " .nc{background:#ffaaaa} table.files td,table.files th{padding:2px 10px;text-align:left}"
                + "</style></head><body>\n";
    }

    private static String rate(int hit, int found) {
        return found == 0 ? "1.0" : String.format(Locale.ROOT, "%.4f", (double) hit / found);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String xml(String s) {
        return esc(s);
    }
}

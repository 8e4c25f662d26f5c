package dev.bpfunit.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Coverage data written and read back (the kernel matrix's carrier), and reports of several kernels' data. */
class CoverageStoreTest {

    @TempDir
    Path dir;

    private static final CoverageLayout.Line IF = new CoverageLayout.Line("./t.bpf.c", 10, "\tif (x)\t{ \\ }");
    private static final CoverageLayout.Line THEN = new CoverageLayout.Line("./t.bpf.c", 11, "\t\ty++;");
    private static final CoverageLayout.Line ELSE = new CoverageLayout.Line("./t.bpf.c", 13, "\t\tz++;\n");

    /** One program: a block (line 10) ending in a branch, its fall-through (line 11) and its target (line 13). */
    private static CoverageLayout layout() {
        return new CoverageLayout("t.bpf.o", 3, List.of(
                new CoverageLayout.Block("p", 0, 0, true, Map.of(IF, 2), Map.of(IF, 1)),
                new CoverageLayout.Block("p", 2, 1, true, Map.of(THEN, 3), Map.of(THEN, 1)),
                new CoverageLayout.Block("p", 5, 2, false, Map.of(ELSE, 3), Map.of(ELSE, 1))),
                List.of(new CoverageLayout.Branch(IF, "p", 1, 0, 1, true)), List.of("a note\twith a tab"));
    }

    @Test
    void dataReadBackIsTheDataWritten() {
        CoverageData d = new CoverageData();
        d.add(layout(), new long[] {5, 2, 1}, "T.first");
        d.add(layout(), new long[] {1, 1, 0}, "T.second");
        Path f = CoverageStore.save(dir, "6.1", "6.1.0-28-amd64", d);

        CoverageData.Stored back = CoverageData.read(f);
        assertThat(back.kernel()).isEqualTo("6.1");
        assertThat(back.release()).isEqualTo("6.1.0-28-amd64");
        assertThat(back.data().files()).isEqualTo(d.files());
        assertThat(back.data().notes()).containsExactly("a note\twith a tab");
        assertThat(back.data().file("t.bpf.c").orElseThrow().lines().get(10).text()).isEqualTo("\tif (x)\t{ \\ }");
        assertThat(back.data().summary()).isEqualTo(d.summary());
    }

    @Test
    void aFileOfAnotherKindIsNamed() throws Exception {
        Path f = dir.resolve("x.coverage");
        Files.writeString(f, "SF:foo\n");
        assertThatThrownBy(() -> CoverageData.read(f)).isInstanceOf(BpfException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("bpfunit-coverage 1");
        Files.writeString(f, CoverageData.MAGIC + "\nblock\tt.bpf.o\n");
        assertThatThrownBy(() -> CoverageData.read(f)).hasMessageContaining("line 2: too few fields");
    }

    @Test
    void aReportOfSeveralKernelsMergesThemAndKeepsEachApart() throws Exception {
        CoverageData host = CoverageData.of(layout(), new long[] {2, 2, 0});        // only the fall-through
        CoverageData guest = CoverageData.of(layout(), new long[] {3, 0, 1});       // only the jump
        CoverageStore.save(dir, "container", "6.18.0", guest);
        CoverageStore.save(dir, CoverageStore.HOST, "6.18.0", host);
        CoverageStore.save(dir, "6.1", "6.1.0-28-amd64", guest);

        List<CoverageData.Stored> runs = CoverageStore.load(dir);
        assertThat(runs).extracting(CoverageData.Stored::kernel).containsExactly("host", "6.1", "container");
        CoverageData merged = new CoverageReports(List.of()).writeKernels(runs, dir);

        CoverageData.FileCoverage f = merged.file("t.bpf.c").orElseThrow();
        assertThat(f.linesHit()).isEqualTo(3);
        assertThat(f.lines().get(10).hits()).isEqualTo(8);
        assertThat(f.lines().get(10).branches()).singleElement()
                .satisfies(b -> assertThat(List.of(b.taken(), b.notTaken())).containsExactly(6L, 2L));
        String lcov = Files.readString(dir.resolve("lcov.info"));
        assertThat(lcov).contains("TN:host\nSF:./t.bpf.c\n", "TN:kernel_6_1\nSF:./t.bpf.c\n",
                "TN:container\nSF:./t.bpf.c\n");
        assertThat(lcov.split("end_of_record")).hasSize(4);
        assertThat(lcov.substring(0, lcov.indexOf("end_of_record"))).contains("DA:11,2\n", "DA:13,0\n");
        String page = Files.readString(dir.resolve("t.bpf.c.html"));
        assertThat(page).contains("<th title=\"6.1 (6.1.0-28-amd64)\">6.1</th>");
        assertThat(Files.readString(dir.resolve("index.html"))).contains("<td>6.1</td><td>6.1.0-28-amd64</td>");
        assertThat(Files.readString(dir.resolve("cobertura.xml"))).contains("<line number=\"13\" hits=\"2\"");
    }

    @Test
    void copyTakesAGuestsDataIntoTheHostsDirectory(@TempDir Path guest) {
        CoverageStore.save(guest, "6.12", "6.12.57", CoverageData.of(layout(), new long[] {1, 1, 0}));
        assertThat(CoverageStore.copy(guest, dir)).containsExactly("6.12.coverage");
        assertThat(CoverageStore.load(dir)).singleElement().satisfies(s -> assertThat(s.kernel()).isEqualTo("6.12"));
        assertThat(CoverageStore.copy(dir.resolve("nothing"), dir)).isEmpty();
    }
}

package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.XdpAction;
import dev.bpfunit.instrument.CoverageData;
import dev.bpfunit.instrument.CoverageReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage of xdp_fw (blocked_port 53) for three packets whose paths through xdp_fw.bpf.c are worked out by hand:
 * an ARP frame (not IPv4: PASS at line 72), UDP to port 80 (through the port parsing: PASS at line 92) and UDP to
 * port 53 (DROP at line 91). clang inlines {@code count()} (lines 51-57) at each {@code return}, so its lines run
 * once per packet, in three different copies; the {@code return} lines themselves carry no instruction of their own.
 */
class CoverageTest {

    static final byte[] FRIEND = {10, 0, 0, 7};
    static final byte[] SERVER = {10, 0, 0, 1};

    @Test
    void linesAndBranchesOfThreePacketsAreExactlyTheHandComputedOnes(@TempDir Path dir) throws Exception {
        try (BpfObject obj = BpfObject.loader(Samples.object("xdp_fw")).global("blocked_port", (short) 53)
                .coverage(true).load()) {
            BpfProgram fw = obj.program("xdp_fw");
            assertThat(fw.run(Frames.ethernet(0x0806, new byte[28])).xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(fw.run(Frames.udp4(FRIEND, SERVER, 4000, 80, 16, 64)).xdpAction()).isEqualTo(XdpAction.PASS);
            assertThat(fw.run(Frames.udp4(FRIEND, SERVER, 4000, 53, 16, 64)).xdpAction()).isEqualTo(XdpAction.DROP);

            // snippet:coverage
            CoverageData data = obj.coverage();
            CoverageData.FileCoverage f = data.file("xdp_fw.bpf.c").orElseThrow();
            assertThat(f.lines().get(90).hits()).isEqualTo(2);                 // if (blocked_port != 0 && ...)
            assertThat(f.lines().get(90).branches()).hasSize(2);
            // end:coverage
            Map<Integer, Long> hits = f.lines().values().stream()
                    .collect(Collectors.toMap(CoverageData.LineCoverage::line, CoverageData.LineCoverage::hits));
            assertThat(hits).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                    Map.entry(51, 3L), Map.entry(53, 3L),             // count(): once per packet
                    Map.entry(61, 3L), Map.entry(63, 3L), Map.entry(64, 3L), Map.entry(69, 3L), Map.entry(71, 3L),
                    Map.entry(75, 2L), Map.entry(78, 2L),             // the two IPv4 packets
                    Map.entry(81, 2L), Map.entry(83, 2L), Map.entry(85, 2L), Map.entry(87, 2L), Map.entry(90, 2L),
                    Map.entry(93, 3L)));
            // each conditional jump as {times it went one way, the other}, sorted, per line
            assertThat(branches(f, 69)).containsExactly(List.of(0L, 3L));    // no runt frame
            assertThat(branches(f, 71)).containsExactly(List.of(1L, 2L));    // ARP vs IPv4
            assertThat(branches(f, 75)).containsExactlyInAnyOrder(List.of(0L, 2L), List.of(0L, 2L));
            assertThat(branches(f, 78)).containsExactly(List.of(0L, 2L));    // nothing in the blocklist
            // UDP: the TCP test is never reached (||)
            assertThat(branches(f, 81)).containsExactlyInAnyOrder(List.of(0L, 2L), List.of(0L, 0L));
            assertThat(branches(f, 85)).containsExactly(List.of(0L, 2L));
            // blocked_port != 0 always; dport == 53 once
            assertThat(branches(f, 90)).containsExactlyInAnyOrder(List.of(0L, 2L), List.of(1L, 1L));
            // if (s) in the 7 inlined copies of count(): 3 ran once, s never NULL
            assertThat(branches(f, 53)).hasSize(7).filteredOn(b -> b.get(1) > 0)
                    .containsExactly(List.of(0L, 1L), List.of(0L, 1L), List.of(0L, 1L));
            assertThat(f.linesFound()).isEqualTo(15);
            assertThat(f.linesHit()).isEqualTo(15);
            assertThat(data.notes()).isEmpty();

            new CoverageReports(List.of(Path.of("src/main/bpf"))).writeAll(data, dir);
            String lcov = Files.readString(dir.resolve("lcov.info"));
            assertThat(lcov).contains("SF:" + Path.of("src/main/bpf/xdp_fw.bpf.c").toAbsolutePath(), "DA:51,3\n",
                    "DA:90,2\n", "LF:15\nLH:15\n", "BRF:34\nBRH:14\n", "end_of_record");
            assertThat(Files.readString(dir.resolve("cobertura.xml")))
                    .contains("<line number=\"90\" hits=\"2\" branch=\"true\" condition-coverage=\"75% (3/4)\"/>");
            assertThat(Files.readString(dir.resolve("xdp_fw.bpf.c.html")))
                    .contains("<tr id=\"L71\"><td class=\"n\">71</td><td class=\"h\">3</td><td class=\"b\">2/2</td>"
                            + "<td class=\"fc\"")
                    .contains("<tr id=\"L90\"><td class=\"n\">90</td><td class=\"h\">2</td><td class=\"b\">3/4</td>"
                            + "<td class=\"pc\"")
                    .contains("<tr id=\"L92\"><td class=\"n\">92</td><td class=\"h\"></td>");
        }
    }

    @Test
    void aProgramRunNeverCountsNothing() {
        try (BpfObject obj = BpfObject.loader(Samples.object("xdp_fw")).coverage(true).load()) {
            CoverageData data = obj.coverage();
            assertThat(data.file("xdp_fw.bpf.c").orElseThrow().linesHit()).isZero();
            assertThat(data.summary()).startsWith("bpfunit coverage: lines 0/15 (0.0%), branches 0/34");
        }
    }

    private static List<List<Long>> branches(CoverageData.FileCoverage f, int line) {
        return f.lines().get(line).branches().stream()
                .map(b -> List.of(Math.min(b.taken(), b.notTaken()), Math.max(b.taken(), b.notTaken()))).toList();
    }
}

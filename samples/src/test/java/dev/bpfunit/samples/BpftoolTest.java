package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bpfunit.samples.Bpftool.BpftoolException;
import dev.bpfunit.samples.Bpftool.Loaded;
import dev.bpfunit.samples.Bpftool.MapInfo;
import dev.bpfunit.samples.Bpftool.ProgInfo;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the bpftool reference support by really loading sample objects into this kernel. */
class BpftoolTest {

    static Path sample(String name) {
        URL url = BpftoolTest.class.getResource("/bpf/" + name);
        assertThat(url).as("sample object %s on the classpath", name).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void loadsXdpFirewallAndReportsItsProgramAndMaps() {
        Path dir;
        int programId;
        try (Loaded loaded = Bpftool.loadAll(sample("xdp_fw.bpf.o"))) {
            dir = loaded.directory();
            assertThat(loaded.programs()).extracting(ProgInfo::pinName).containsExactly("xdp_fw");
            ProgInfo prog = loaded.program("xdp_fw");
            programId = prog.id();
            assertThat(prog.name()).isEqualTo("xdp_fw");
            assertThat(prog.type()).isEqualTo("xdp");
            assertThat(prog.gplCompatible()).isTrue();
            assertThat(prog.tag()).matches("[0-9a-f]{16}");
            assertThat(prog.xlatedBytes()).isPositive().isEqualTo(prog.xlatedInstructions() * 8);
            assertThat(prog.jited()).isTrue();
            assertThat(prog.jitedBytes()).isPositive();

            assertThat(loaded.maps()).extracting(MapInfo::pinName)
                    .containsExactly("blocklist", "stats", "xdp_fw_rodata");
            assertThat(loaded.map("blocklist")).extracting(MapInfo::type, MapInfo::keySize, MapInfo::valueSize,
                    MapInfo::maxEntries, MapInfo::flags).containsExactly("hash", 4, 8, 1024, 0L);
            assertThat(loaded.map("stats")).extracting(MapInfo::type, MapInfo::keySize, MapInfo::valueSize,
                    MapInfo::maxEntries).containsExactly("percpu_array", 4, 16, 5);
            MapInfo rodata = loaded.map("xdp_fw_rodata");
            assertThat(rodata.name()).isEqualTo("xdp_fw.rodata");
            assertThat(rodata).extracting(MapInfo::type, MapInfo::keySize, MapInfo::valueSize, MapInfo::maxEntries)
                    .containsExactly("array", 4, 2, 1);
            assertThat(rodata.flags() & 0x80).as("BPF_F_RDONLY_PROG").isNotZero();
            assertThat(rodata.frozen()).isTrue();

            assertThat(prog.mapIds()).containsExactlyInAnyOrderElementsOf(
                    loaded.maps().stream().map(MapInfo::id).toList());
            assertThat(dir.resolve("progs/xdp_fw")).exists();
        }
        assertThat(dir).doesNotExist();
        assertThat(programIds()).doesNotContain(programId);
    }

    @Test
    void loadsTailCallObjectWithItsStaticProgramArray() {
        try (Loaded loaded = Bpftool.loadAll(sample("tailcall.bpf.o"))) {
            assertThat(loaded.programs()).extracting(ProgInfo::pinName, ProgInfo::type)
                    .containsExactly(
                            tuple("slot_drop", "xdp"),
                            tuple("slot_tx", "xdp"),
                            tuple("tail_entry", "xdp"));
            assertThat(loaded.maps()).extracting(MapInfo::pinName, MapInfo::type, MapInfo::keySize,
                    MapInfo::valueSize, MapInfo::maxEntries)
                    .containsExactly(tuple("jmp_table", "prog_array", 4, 4, 4));
            int table = loaded.map("jmp_table").id();
            assertThat(loaded.program("tail_entry").mapIds()).containsExactly(table);
            assertThat(loaded.program("slot_drop").mapIds()).isEmpty();
        }
    }

    @Test
    void customSectionNeedsAnExplicitType() {
        assertThatThrownBy(() -> Bpftool.loadAll(sample("custom_section.bpf.o")))
                .isInstanceOf(BpftoolException.class)
                .hasMessageContaining("custom_section.bpf.o");
        try (Loaded loaded = Bpftool.loadAll(sample("custom_section.bpf.o"), "xdp")) {
            assertThat(loaded.program("icmp_echo").type()).isEqualTo("xdp");
            assertThat(loaded.maps()).isEmpty();
        }
    }

    @Test
    void rejectedProgramFailsWithTheVerifierLog() {
        assertThatThrownBy(() -> Bpftool.loadAll(sample("rejected.bpf.o")))
                .isInstanceOfSatisfying(BpftoolException.class, e -> {
                    assertThat(e.getMessage()).contains("rejected.bpf.o");
                    assertThat(e.output()).contains("R0 invalid mem access 'map_value_or_null'")
                            .contains("*count += 1; /* BUG: count may be NULL */");
                });
        // this load's directory, not the JVM's: loads of tests running in parallel have theirs there too
        assertThat(Bpftool.lastLoadDirectory()).hasValueSatisfying(dir -> assertThat(dir)
                .as("the failed load's pin directory").doesNotExist());
    }

    @Test
    void missingObjectIsNamed() {
        assertThatThrownBy(() -> Bpftool.loadAll(Path.of("/nonexistent/x.bpf.o")))
                .isInstanceOf(BpftoolException.class)
                .hasMessageContaining("/nonexistent/x.bpf.o");
    }

    private static List<Integer> programIds() {
        try {
            Process p = new ProcessBuilder("bpftool", "-j", "prog", "show").start();
            String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            List<Integer> ids = new ArrayList<>();
            new ObjectMapper().readTree(json).forEach(n -> ids.add(n.get("id").asInt()));
            return ids;
        } catch (Exception e) {
            throw new IllegalStateException("bpftool prog show failed", e);
        }
    }

    @Test
    void pinsOfAJvmThatIsGoneAreRemovedAtTheNextStart() throws Exception {
        // this JVM's first use of its pin directory removes stale ones: done before, so that a test running in
        // parallel cannot remove this test's stale directory before the call under test does
        Path live = Bpftool.jvmPinDirectory();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Bpftool.BPFFS.resolve(Bpftool.PIN_PREFIX + gone.pid());
        Files.createDirectories(stale.resolve("maps"));
        Process pin = new ProcessBuilder("bpftool", "map", "create", stale.resolve("maps/stale").toString(), "type",
                "array", "key", "4", "value", "4", "entries", "1", "name", "bpfunit_stale").start();
        assertThat(pin.waitFor()).as("bpftool map create").isZero();

        List<Path> removed = Bpftool.removeStalePins(Bpftool.BPFFS);

        assertThat(removed).contains(stale).doesNotContain(live);
        assertThat(stale).doesNotExist();
        assertThat(live).isDirectory();
    }

}

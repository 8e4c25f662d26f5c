package dev.bpfunit.elf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ObjectSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two programs or two maps with one name are refused, not one silently replacing the other (issue 12, item 3). */
class DuplicateNamesTest {
    private final ObjectSpec xdp = ObjectReader.read(Fixtures.bytes("xdp_fw.bpf.o"), "xdp_fw.bpf.o");

    @Test
    void twoProgramsWithOneName() {
        var programs = new ArrayList<>(xdp.programs());
        programs.add(programs.get(0).withType(programs.get(0).type(), programs.get(0).attachType()));
        assertThatThrownBy(() -> new ObjectSpec(xdp.name(), xdp.objectName(), programs, xdp.maps(), xdp.variables(),
                xdp.btf(), xdp.license(), xdp.kernelVersion()))
                .isInstanceOf(BpfException.class)
                .hasMessageStartingWith("xdp_fw.bpf.o: two programs are named 'xdp_fw' (sections 'xdp' and 'xdp')");
    }

    @Test
    void twoMapsWithOneName() {
        var maps = new ArrayList<>(xdp.maps());
        maps.add(maps.get(0).withMaxEntries(7));
        assertThatThrownBy(() -> new ObjectSpec(xdp.name(), xdp.objectName(), xdp.programs(), List.copyOf(maps),
                xdp.variables(), xdp.btf(), xdp.license(), xdp.kernelVersion()))
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("two maps are named '" + maps.get(0).name() + "'");
    }
}

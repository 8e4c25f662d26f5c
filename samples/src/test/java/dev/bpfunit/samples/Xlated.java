package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.BpfObject;
import dev.bpfunit.ProgramInfo;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.ProgInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The kernel's translated instructions of a program, compared between bpfunit's load and libbpf's (bpftool's). */
final class Xlated {
    private Xlated() {
    }

    /** Loads the sample object with bpftool and with bpfunit and checks that the kernel translated each the same. */
    static void assertSameAsBpftool(String objectName, String program) {
        try (Bpftool.Loaded reference = Bpftool.loadAll(object(objectName));
             // coverage(false): the translated instructions are compared with bpftool's
             BpfObject ours = BpfObject.loader(object(objectName)).coverage(false).load()) {
            assertThat(ofOurs(ours, program)).as("xlated instructions of " + objectName + "/" + program)
                    .isEqualTo(ofBpftool(reference, program));
        }
    }

    /** The normalised translated instructions of {@code program} as bpftool (libbpf) loaded and pinned it. */
    static List<String> ofBpftool(Bpftool.Loaded reference, String program) {
        try (var fd = Bpf.objGet(reference.directory().resolve("progs").resolve(program).toString(), program)) {
            ProgInfo theirs = Bpf.progInfo(fd);
            return normalized(theirs.xlatedInsns(), theirs.mapIds());
        }
    }

    /** The normalised translated instructions of bpfunit's {@code program}. */
    static List<String> ofOurs(BpfObject ours, String program) {
        ProgramInfo mine = ours.program(program).info();
        return normalized(mine.xlatedInsns(), mine.mapIds());
    }

    /**
     * One line per 8-byte slot (opcode, registers, offset, immediate), with a map's id in an {@code ld_imm64}
     * replaced by the map's place in the program's map list: ids differ between two loads, the places do not.
     */
    static List<String> normalized(byte[] x, int[] ids) {
        List<Integer> mapIds = new ArrayList<>();
        for (int id : ids) {
            mapIds.add(id);
        }
        ByteBuffer b = ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN);
        List<String> out = new ArrayList<>();
        for (int at = 0; at + 8 <= x.length; at += 8) {
            int code = b.get(at) & 0xff;
            int src = (b.get(at + 1) & 0xf0) >> 4;
            int imm = b.getInt(at + 4);
            if (code == 0x18 && (src == 1 || src == 2) && mapIds.contains(imm)) {
                imm = -1000 - mapIds.indexOf(imm);
            }
            out.add(String.format("%02x %02x %d %d", code, b.get(at + 1), b.getShort(at + 2), imm));
        }
        return out;
    }
}

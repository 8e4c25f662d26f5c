package dev.bpfunit.elf;

import dev.bpfunit.sys.BpfConstants;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.asm.Opcodes;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectReaderTest {

    static byte[] fixture(String name) {
        try (InputStream in = ObjectReaderTest.class.getResourceAsStream("/elf/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsMapsVariablesAndTheLinkedProgram() {
        ObjectSpec spec = ObjectReader.read(fixture("xdp_fw.bpf.o"), "xdp_fw.bpf.o");

        assertThat(spec.objectName()).isEqualTo("xdp_fw");
        assertThat(spec.license()).isEqualTo("GPL");
        assertThat(spec.maps()).extracting(MapSpec::name, MapSpec::kind, MapSpec::type, MapSpec::keySize,
                MapSpec::valueSize, MapSpec::maxEntries).containsExactlyInAnyOrder(
                tuple("blocklist", MapKind.BTF, MapType.HASH, 4, 8, 1024),
                tuple("stats", MapKind.BTF, MapType.ARRAY, 4, 8, 2),
                tuple(".rodata", MapKind.DATA, MapType.ARRAY, 4, 4, 1),
                tuple(".data", MapKind.DATA, MapType.ARRAY, 4, 8, 1),
                tuple(".bss", MapKind.DATA, MapType.ARRAY, 4, 8, 1));
        MapSpec rodata = spec.map(".rodata");
        assertThat(rodata.kernelName()).isEqualTo("xdp_fw.rodata");
        assertThat(rodata.freeze()).isTrue();
        assertThat(rodata.flags()).isEqualTo(BpfConstants.BPF_F_RDONLY_PROG | BpfConstants.BPF_F_MMAPABLE);
        assertThat(rodata.contents()).containsExactly(1, 0, 0, 0); // XDP_DROP
        assertThat(spec.map(".data").contents()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
        assertThat(spec.map("blocklist").btfKeyTypeId()).isPositive();

        assertThat(spec.variables()).extracting(v -> v.name(), v -> v.map(), v -> v.size())
                .containsExactlyInAnyOrder(tuple("drop_action", ".rodata", 4), tuple("packets_seen", ".data", 8),
                        tuple("last_source", ".bss", 8));

        ProgramSpec prog = spec.program("xdp_fw");
        assertThat(prog.type()).isEqualTo(ProgramType.XDP);
        // the static subprogram count() is appended and the call rewritten to reach it
        assertThat(prog.funcInfos()).hasSize(2);
        int countStart = prog.funcInfos().get(1).insnOffset();
        byte[] insns = prog.instructions();
        int calls = 0;
        for (int slot = 0; slot < prog.instructionCount(); slot++) {
            Instruction insn = Instruction.decode(insns, slot);
            if (insn.isPseudoCall()) {
                assertThat(slot + 1 + insn.imm()).isEqualTo(countStart);
                calls++;
            }
        }
        assertThat(calls).isEqualTo(2);
        assertThat(prog.references()).hasOnlyElementsOfTypes(Reference.MapFd.class, Reference.MapValue.class);
        assertThat(prog.references()).filteredOn(r -> r instanceof Reference.MapFd)
                .extracting(r -> ((Reference.MapFd) r).map()).contains("blocklist", "stats");
        assertThat(prog.references()).filteredOn(r -> r instanceof Reference.MapValue)
                .extracting(r -> ((Reference.MapValue) r).map()).contains(".data", ".bss", ".rodata");
        for (Reference r : prog.references()) {
            assertThat(Instruction.decode(insns, r.slot()).isLdImm64()).as("slot %d", r.slot()).isTrue();
        }
        assertThat(prog.lineInfos()).isNotEmpty();
        assertThat(prog.lineOf(0)).isPresent();
        assertThat(Opcodes.BPF_PSEUDO_CALL).isEqualTo(1);
    }

    @Test
    void foreignObjectsAreRejectedClearly() {
        assertThatThrownBy(() -> ObjectReader.read(fixture("x86.o"), "x86.o"))
                .isInstanceOf(BpfException.class).hasMessageContaining("x86.o");
    }

    @Test
    void corruptedObjectsOnlyEverThrowBpfException() {
        byte[] original = fixture("xdp_fw.bpf.o");
        Random random = new Random(42);
        int rejected = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] bytes = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                ObjectReader.read(bytes, "corrupt.bpf.o");
            } catch (BpfException expected) {
                rejected++;
            }
        }
        assertThat(rejected).as("some corruptions must be caught").isPositive();
    }
}

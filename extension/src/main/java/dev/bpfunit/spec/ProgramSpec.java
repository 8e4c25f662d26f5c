package dev.bpfunit.spec;

import dev.bpfunit.btf.CoreRelo;
import dev.bpfunit.btf.FuncInfo;
import dev.bpfunit.btf.LineInfo;

import java.util.List;

/**
 * A program as the ELF object defines it, linked with the subprograms it calls, before loading.
 *
 * @param name           the function's name
 * @param section        the ELF section it came from ({@code xdp}, {@code tc/ingress}, ...)
 * @param type           the program type (from the section name, or given by the user)
 * @param attachType     the expected attach type
 * @param flags          {@code prog_flags} (sleepable, XDP frags)
 * @param attachTarget   how the attach target is found at load time
 * @param attachTo       what the section names after the kind ({@code do_nanosleep} in {@code fentry/do_nanosleep})
 * @param instructions   the linked instructions (a copy): the function, then every subprogram it reaches
 * @param references     instructions that need maps or externs at load time
 * @param funcInfos      BTF function info for the linked layout
 * @param lineInfos      BTF line info for the linked layout
 * @param coreRelos      CO-RE relocations for the linked layout
 * @param license        the object's license
 * @param kernelVersion  the object's {@code version} section (0 if none)
 */
public record ProgramSpec(String name, String section, ProgramType type, AttachType attachType, int flags,
                          SectionDefs.AttachTarget attachTarget, String attachTo, byte[] instructions,
                          List<Reference> references, List<FuncInfo> funcInfos, List<LineInfo> lineInfos,
                          List<CoreRelo> coreRelos, String license, int kernelVersion) {

    public ProgramSpec {
        instructions = instructions.clone();
        references = List.copyOf(references);
        funcInfos = List.copyOf(funcInfos);
        lineInfos = List.copyOf(lineInfos);
        coreRelos = List.copyOf(coreRelos);
    }

    @Override
    public byte[] instructions() {
        return instructions.clone();
    }

    /** The number of 8-byte instruction slots. */
    public int instructionCount() {
        return instructions.length / 8;
    }

    /**
     * Whether the loader loads this program unless told otherwise: libbpf's convention is that a section
     * starting with {@code ?} ({@code SEC("?xdp")}) is not loaded unless asked for.
     */
    public boolean autoload() {
        return SectionDefs.autoloaded(section);
    }

    /** A copy with another program type and expected attach type (for sections whose name does not say). */
    public ProgramSpec withType(ProgramType newType, AttachType newAttachType) {
        return new ProgramSpec(name, section, newType, newAttachType, flags, attachTarget, attachTo, instructions,
                references, funcInfos, lineInfos, coreRelos, license, kernelVersion);
    }

    /** The source line of an instruction slot, from line info, if the object has it. */
    public java.util.Optional<LineInfo> lineOf(int slot) {
        LineInfo best = null;
        for (LineInfo li : lineInfos) {
            if (li.insnOffset() <= slot && (best == null || li.insnOffset() >= best.insnOffset())) {
                best = li;
            }
        }
        return java.util.Optional.ofNullable(best);
    }
}

package dev.bpfunit;

import dev.bpfunit.asm.Instruction;
import dev.bpfunit.asm.Opcodes;
import dev.bpfunit.btf.CoreRelocator;
import dev.bpfunit.btf.CoreResult;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.VariableSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The load-time half of linking, as libbpf's {@code bpf_object__relocate}: a program's CO-RE relocations applied
 * against the target BTF, then its references patched into the instructions (map fds and map values, kconfig
 * values, {@code __ksym} variables and kfunc calls). The bpf-to-bpf calls were linked when the object was read
 * ({@code elf.ProgramLinker}); this runs after the maps exist, since it writes their fds.
 */
final class ProgramLinking {

    /** A program's instructions ready for BPF_PROG_LOAD, the CO-RE result they came from and the kfuncs' fds. */
    record Linked(CoreResult core, byte[] instructions, ExternResolver.FdArray fdArray) {
    }

    private final ObjectSpec spec;
    private final Map<String, BpfMap> maps;
    private final Supplier<KernelTarget> kernelTarget;
    private final Supplier<ExternResolver> externResolver;

    ProgramLinking(ObjectSpec spec, Map<String, BpfMap> maps, Supplier<KernelTarget> target,
                   Supplier<ExternResolver> externs) {
        this.spec = spec;
        this.maps = maps;
        this.kernelTarget = target;
        this.externResolver = externs;
    }

    /** The kernel BTF to relocate against, opened by the load on first use. */
    private KernelTarget target() {
        return kernelTarget.get();
    }

    /** The load's extern resolver, made on first use. */
    private ExternResolver externs() {
        return externResolver.get();
    }

    /** The program's instructions with CO-RE relocations applied and every reference patched. */
    Linked link(ProgramSpec p) {
        CoreResult core = relocate(p);
        byte[] insns = core.instructions();
        ExternResolver.FdArray fdArray = new ExternResolver.FdArray();
        for (Reference r : p.references()) {
            patch(p, insns, r, fdArray);
        }
        return new Linked(core, insns, fdArray);
    }

    /** The program's instructions with its CO-RE relocations applied against the target BTF. */
    private CoreResult relocate(ProgramSpec p) {
        if (p.coreRelos().isEmpty()) {
            return new CoreResult(p.instructions(), List.of());
        }
        if (spec.btf() == null) {
            throw new BpfException("program '" + p.name() + "' has CO-RE relocations but the object has no BTF");
        }
        try {
            return new CoreRelocator(spec.btf(), target().vmlinux(), target().lazyModuleBtfs(), target().name())
                    .relocate(p.instructions(), p.coreRelos());
        } catch (BpfException e) {
            throw new BpfException("program '" + p.name() + "': " + e.getMessage(), e);
        }
    }

    private void patch(ProgramSpec p, byte[] insns, Reference r, ExternResolver.FdArray fdArray) {
        if (r instanceof Reference.MapFd ref) {
            setLdImm64(insns, ref.slot(), Opcodes.BPF_PSEUDO_MAP_FD, mapFd(p, ref.map()), 0);
        } else if (r instanceof Reference.MapValue ref) {
            setLdImm64(insns, ref.slot(), Opcodes.BPF_PSEUDO_MAP_VALUE, mapFd(p, ref.map()), ref.offset());
        } else if (r instanceof Reference.Extern ref) {
            Optional<VariableSpec> kconfig = externs().kconfigVariable(ref.symbol());
            if (kconfig.isPresent() && !ref.call()) {
                int offset = kconfig.get().offset() + Instruction.decode(insns, ref.slot()).imm();
                setLdImm64(insns, ref.slot(), Opcodes.BPF_PSEUDO_MAP_VALUE, mapFd(p, kconfig.get().map()),
                        offset);
            } else {
                externs().patch(p, insns, ref, fdArray);
            }
        }
    }

    private int mapFd(ProgramSpec p, String map) {
        BpfMap m = maps.get(map);
        if (m == null) {
            throw new BpfException("program '" + p.name() + "' refers to map '" + map + "', which the object "
                    + "does not define");
        }
        return m.fd().raw();
    }

    private void setLdImm64(byte[] insns, int slot, int src, int imm, int next) {
        Instruction first = Instruction.decode(insns, slot);
        first.withSrc(src).withImm(imm).encodeInto(insns, slot);
        Instruction.decode(insns, slot + 1).withImm(next).encodeInto(insns, slot + 1);
    }
}

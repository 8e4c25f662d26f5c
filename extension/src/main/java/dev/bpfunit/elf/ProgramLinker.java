package dev.bpfunit.elf;

import dev.bpfunit.rawelf.Elf;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfSection;
import dev.bpfunit.rawelf.ElfSymbol;
import dev.bpfunit.rawelf.ElfRelocation;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.asm.Opcodes;
import dev.bpfunit.btf.BtfExt;
import dev.bpfunit.btf.CoreRelo;
import dev.bpfunit.btf.FuncInfo;
import dev.bpfunit.btf.LineInfo;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.SectionDefs;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the entry programs of an object and links each with the subprograms it calls (bpf-to-bpf calls and
 * callbacks), carrying map references, func info, line info and CO-RE relocations into the linked layout.
 */
final class ProgramLinker {

    private static final int INSN = 8;

    private final ElfFile elf;
    private final BtfExt ext;
    private final List<MapSpec> maps;
    /** The {@code .ksyms} externs' BTF types by name (see {@link Reference.Extern#btfTypeId()}). */
    private final Map<String, Integer> ksymTypes;
    /** Each program's exception callback, by program name (from {@code exception_callback:} decl tags). */
    private final Map<String, String> exceptionCallbacks;
    private final String license;
    private final int version;
    /** Functions per executable section index, by start offset in bytes. */
    private final Map<Integer, Map<Long, Function>> functions = new HashMap<>();
    /** Relocations per executable section index, by offset in bytes. */
    private final Map<Integer, Map<Long, ElfRelocation>> relocations = new HashMap<>();
    /** The bytes of each executable section, by index: copied once, read by every program that uses them. */
    private final Map<Integer, byte[]> code = new HashMap<>();

    /**
     * One function: a symbol in an executable section. Equal by section index, offset, size, name and linkage: the
     * record's own equality would hash and compare the whole section's bytes for every look-up.
     */
    private record Function(String name, ElfSection section, long offset, long size, boolean global) {
        String where() {
            return name + " (section " + section.name() + ")";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Function f && section.index() == f.section.index() && offset == f.offset
                    && size == f.size && global == f.global && name.equals(f.name);
        }

        @Override
        public int hashCode() {
            return 31 * section.index() + Long.hashCode(offset);
        }
    }

    ProgramLinker(ElfFile elf, BtfExt ext, List<MapSpec> maps, Map<String, Integer> ksymTypes,
                  Map<String, String> exceptionCallbacks, String license, int version) {
        this.elf = elf;
        this.ksymTypes = ksymTypes;
        this.exceptionCallbacks = exceptionCallbacks;
        this.ext = ext;
        this.maps = maps;
        this.license = license;
        this.version = version;
        for (ElfSection s : elf.sections()) {
            if (s.isExecutable() && s.size() > 0) {
                if (s.dataLength() != s.size()) {
                    throw new BpfException("section " + s.name() + " is executable but holds " + s.dataLength()
                            + " of its " + s.size() + " bytes in the file (" + Elf.sectionTypeName(s.type()) + ")");
                }
                if (s.size() % INSN != 0) {
                    throw new BpfException("section " + s.name() + " is " + s.size()
                            + " bytes, not a whole number of 8-byte instructions");
                }
                functions.put(s.index(), functionsOf(s));
                code.put(s.index(), s.data());
                Map<Long, ElfRelocation> byOffset = new HashMap<>();
                for (ElfRelocation r : elf.relocations(s)) {
                    byOffset.put(r.offset(), r);
                }
                relocations.put(s.index(), byOffset);
            }
        }
    }

    private Map<Long, Function> functionsOf(ElfSection s) {
        Map<Long, Function> out = new LinkedHashMap<>();
        List<ElfSymbol> syms = elf.symbols().stream()
                .filter(sym -> sym.sectionIndex() == s.index() && sym.isFunction())
                .sorted(Comparator.comparingLong(ElfSymbol::value)).toList();
        if (syms.isEmpty() && !s.name().equals(".text")) {
            // An old-style object: the whole section is one program named after it.
            out.put(0L, new Function(s.name(), s, 0, s.size(), true));
            return out;
        }
        for (ElfSymbol sym : syms) {
            long size = sym.size();
            if (size == 0) {
                throw new BpfException("function " + sym.name() + " in section " + s.name() + " has size 0 "
                        + "in the symbol table: was the object built by clang -target bpf?");
            }
            if (sym.value() % INSN != 0 || size % INSN != 0 || sym.value() + size > s.size()) {
                throw new BpfException("function " + sym.name() + " in section " + s.name() + " (offset "
                        + sym.value() + ", size " + size + ") does not fit the section's " + s.size() + " bytes");
            }
            out.put(sym.value(), new Function(sym.name(), s, sym.value(), size, sym.isGlobal() || sym.isWeak()));
        }
        return out;
    }

    List<ProgramSpec> programs() {
        List<ProgramSpec> out = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (!s.isExecutable() || s.size() == 0 || s.name().equals(".text")) {
                continue;
            }
            for (Function f : functions.get(s.index()).values()) {
                try {
                    out.add(link(f));
                } catch (BpfException e) {
                    throw new BpfException("program " + f.name() + ": " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** The program being linked: where each function was placed, the code so far and the patches. */
    private final class Layout {
        final Map<Function, Integer> placed = new LinkedHashMap<>();
        final ByteArrayOutputStream code = new ByteArrayOutputStream();
        final Map<Integer, Instruction> patches = new HashMap<>();
        final List<Reference> references = new ArrayList<>();
        final List<FuncInfo> funcInfos = new ArrayList<>();
        final List<LineInfo> lineInfos = new ArrayList<>();
        final List<CoreRelo> coreRelos = new ArrayList<>();

        /** Appends {@code f} (not placed yet) at the end of the code; its first slot. */
        int append(Function f) {
            int at = code.size() / INSN;
            placed.put(f, at);
            code.write(ProgramLinker.this.code.get(f.section().index()), (int) f.offset(), (int) f.size());
            return at;
        }

        byte[] instructions() {
            byte[] insns = code.toByteArray();
            patches.forEach((slot, insn) -> insn.encodeInto(insns, slot));
            return insns;
        }
    }

    /**
     * Lays out {@code entry} then every function it reaches, and rewrites calls to the new offsets. The order is
     * libbpf's ({@code bpf_object__reloc_code}): a subprogram is appended when the first call to it (or the first
     * reference to its address) is met, and its own calls are linked at once, before the caller's next
     * instruction: depth first, in instruction order. An exception callback, which nothing calls, comes after
     * everything the entry reaches. The same layout gives the kernel the same translated instructions as libbpf's.
     */
    private ProgramSpec link(Function entry) {
        Layout layout = new Layout();
        place(entry, layout);
        String callback = exceptionCallbacks.get(entry.name());
        if (callback != null) {
            // called by the kernel when the program throws, never by the program: linked all the same
            place(functionNamed(callback, entry), layout);
        }
        SectionDefs.Match match = SectionDefs.match(entry.section().name()).orElse(null);
        ProgramType type = match == null ? ProgramType.UNSPEC : match.type();
        AttachType attach = match == null ? AttachType.NONE : match.def().attachType();
        int flags = match == null ? 0 : match.def().progFlags();
        SectionDefs.AttachTarget target = match == null ? SectionDefs.AttachTarget.NONE : match.def().target();
        String attachTo = match == null ? "" : match.extras();
        return new ProgramSpec(entry.name(), entry.section().name(), type, attach, flags, target, attachTo,
                layout.instructions(), layout.references, layout.funcInfos, layout.lineInfos, layout.coreRelos,
                license, version);
    }

    /** The slot of {@code f} in the linked program; on first use it is appended and linked (depth first). */
    private int place(Function f, Layout layout) {
        Integer slot = layout.placed.get(f);
        if (slot != null) {
            return slot;
        }
        int base = layout.append(f);
        // func and line info first, as libbpf does: records then come in the order of their instructions
        collectExt(f, base, layout);
        byte[] section = code.get(f.section().index());
        Map<Long, ElfRelocation> relocs = relocations.get(f.section().index());
        int first = (int) (f.offset() / INSN);
        int count = (int) (f.size() / INSN);
        for (int i = 0; i < count; i++) {
            int at = base + i;
            Instruction insn = Instruction.decode(section, first + i);
            ElfRelocation reloc = relocs.isEmpty() ? null : relocs.get(f.offset() + (long) i * INSN);
            if (insn.isPseudoCall() && reloc != null && symbol(reloc).isUndefined()) {
                // clang writes a kfunc call as a pseudo call to an undefined symbol; the loader resolves it.
                ElfSymbol sym = symbol(reloc);
                layout.references.add(new Reference.Extern(at, sym.name(), true, sym.isWeak(),
                        ksymTypes.getOrDefault(sym.name(), 0)));
            } else if (insn.isPseudoCall()) {
                int target = place(callTarget(f, i, insn, reloc), layout);
                layout.patches.put(at, insn.withSrc(Opcodes.BPF_PSEUDO_CALL).withImm(target - (at + 1)));
            } else if (reloc != null) {
                resolveData(f, i, at, insn, reloc, layout);
            }
            if (insn.isLdImm64()) {
                i++;
            }
        }
        return base;
    }

    /** The global function the exception callback decl tag of {@code entry} names. */
    private Function functionNamed(String name, Function entry) {
        List<String> names = new ArrayList<>();
        for (Map<Long, Function> inSection : functions.values()) {
            for (Function f : inSection.values()) {
                if (f.name().equals(name)) {
                    return f;
                }
                names.add(f.name());
            }
        }
        throw new BpfException("its exception callback '" + name + "' (decl tag exception_callback:" + name
                + ") is not a function of the object; functions: " + String.join(", ", names.stream().sorted()
                .toList()) + ". Define it as a global (non-static) function: the kernel requires global linkage");
    }

    /** The function a {@code call} (pseudo call) at instruction {@code i} of {@code f} jumps to. */
    private Function callTarget(Function f, int i, Instruction insn, ElfRelocation reloc) {
        ElfSection section;
        long target;
        if (reloc != null) {
            ElfSymbol sym = symbol(reloc);
            section = elf.section(sym.sectionIndex());
            target = sym.value() + (insn.imm() + 1L) * INSN;
        } else {
            section = f.section();
            target = f.offset() + (i + insn.imm() + 1L) * INSN;
        }
        return functionAt(section, target, f, i);
    }

    private Function functionAt(ElfSection section, long target, Function from, int i) {
        Map<Long, Function> inSection = functions.get(section.index());
        Function callee = inSection == null ? null : inSection.get(target);
        if (callee == null) {
            throw new BpfException("instruction " + i + " of " + from.where() + " calls offset " + target
                    + " of section " + section.name() + ", which is not the start of a function");
        }
        return callee;
    }

    /** A relocation on a non-call instruction: a map, global data, a function pointer or an extern. */
    private void resolveData(Function f, int i, int slot, Instruction insn, ElfRelocation reloc, Layout layout) {
        ElfSymbol sym = symbol(reloc);
        if (sym.isUndefined()) {
            // a __ksym or a __kconfig extern (a value in the .kconfig map): the loader resolves it
            layout.references.add(new Reference.Extern(slot, sym.name(), insn.isCall(), sym.isWeak(),
                    ksymTypes.getOrDefault(sym.name(), 0)));
            return;
        }
        if (!insn.isLdImm64()) {
            throw new BpfException("instruction " + i + " of " + f.where() + " has a relocation against "
                    + sym.name() + " but is not a 64-bit immediate load");
        }
        ElfSection target = elf.section(sym.sectionIndex());
        if (target.isExecutable()) {
            // A callback: the address of a function (bpf_loop, bpf_for_each_map_elem, timers).
            int calleeSlot = place(functionAt(target, sym.value() + insn.imm(), f, i), layout);
            layout.patches.put(slot, insn.withSrc(Opcodes.BPF_PSEUDO_FUNC).withImm(calleeSlot - (slot + 1)));
        } else if (target.name().equals(".maps") || target.name().equals("maps")) {
            String map = sym.isSection() ? mapAtOffset(target, insn.imm()) : sym.name();
            layout.references.add(new Reference.MapFd(slot, map));
        } else if (MapReader.isDataSection(target.name())) {
            // A section symbol carries the offset in the instruction; a variable symbol in its value.
            long offset = sym.value() + insn.imm();
            layout.references.add(new Reference.MapValue(slot, target.name(), (int) offset));
        } else {
            throw new BpfException("instruction " + i + " of " + f.where() + " refers to " + sym.name()
                    + " in section " + target.name() + ", which is neither a map, global data nor code");
        }
    }

    private String mapAtOffset(ElfSection section, long offset) {
        return elf.symbols().stream()
                .filter(s -> s.sectionIndex() == section.index() && !s.isSection() && s.value() == offset)
                .map(ElfSymbol::name).filter(n -> maps.stream().anyMatch(m -> m.name().equals(n)
                        && m.kind() != MapKind.DATA))
                .findFirst().orElseThrow(() -> new BpfException("no map at offset " + offset + " of section "
                        + section.name()));
    }

    private ElfSymbol symbol(ElfRelocation r) {
        if (r.symbolIndex() <= 0 || r.symbolIndex() >= elf.symbols().size()) {
            throw new BpfException("relocation at offset " + r.offset() + " names symbol " + r.symbolIndex()
                    + " of " + elf.symbols().size());
        }
        return elf.symbols().get(r.symbolIndex());
    }

    /** Copies the func, line and CO-RE records of {@code f} into the linked layout at {@code base}. */
    private void collectExt(Function f, int base, Layout layout) {
        if (ext == null) {
            return;
        }
        int start = (int) (f.offset() / INSN);
        int end = start + (int) (f.size() / INSN);
        String sec = f.section().name();
        for (FuncInfo fi : ext.funcInfos().getOrDefault(sec, List.of())) {
            if (fi.insnOffset() >= start && fi.insnOffset() < end) {
                layout.funcInfos.add(fi.withInsnOffset(base + fi.insnOffset() - start));
            }
        }
        for (LineInfo li : ext.lineInfos().getOrDefault(sec, List.of())) {
            if (li.insnOffset() >= start && li.insnOffset() < end) {
                layout.lineInfos.add(li.withInsnOffset(base + li.insnOffset() - start));
            }
        }
        for (CoreRelo cr : ext.coreRelos().getOrDefault(sec, List.of())) {
            if (cr.insnOffset() >= start && cr.insnOffset() < end) {
                layout.coreRelos.add(new CoreRelo(base + cr.insnOffset() - start, cr.typeId(), cr.accessString(),
                        cr.kind()));
            }
        }
    }
}

package dev.bpfunit.elf;

import dev.bpfunit.rawelf.Elf;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfFormatException;
import dev.bpfunit.rawelf.ElfSymbol;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfExt;
import dev.bpfunit.btf.BtfFixups;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.VariableSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a BPF ELF object into an {@link ObjectSpec}: maps (BTF-defined, legacy and global data), programs
 * linked with their subprograms, global variables and the BTF the kernel needs.
 */
public final class ObjectReader {

    private ObjectReader() {
    }

    /** Reads the object at {@code path}. */
    public static ObjectSpec read(Path path) {
        return read(ElfFile.read(path));
    }

    /** Reads an object already in memory; {@code name} is used in messages. */
    public static ObjectSpec read(byte[] bytes, String name) {
        return read(ElfFile.parse(bytes, name));
    }

    /**
     * Reads a parsed ELF file.
     *
     * <p>Only {@link BpfException}s leave: the readers check what they read, and a defect they did not foresee
     * (a bug, which the fuzz tests look for) is still reported as an {@link ElfFormatException} with its cause.
     */
    public static ObjectSpec read(ElfFile elf) {
        try {
            return build(elf);
        } catch (ElfFormatException e) {
            throw e;
        } catch (BpfException e) {
            throw new BpfException(elf.name() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ElfFormatException(elf.name() + ": the object is malformed in a way the reader did not "
                    + "check for (" + e + "): it is probably corrupt; please report this with the object", e);
        }
    }

    private static ObjectSpec build(ElfFile elf) {
        String license = elf.section("license").map(s -> cString(s.data())).orElse("");
        int version = elf.section("version").filter(s -> s.data().length >= 4)
                .map(s -> ByteBuffer.wrap(s.data()).order(ByteOrder.LITTLE_ENDIAN).getInt()).orElse(0);

        Btf parsed = elf.section(".BTF").map(s -> fixDatasecs(elf, Btf.parse(s.data()))).orElse(null);
        Map<String, Integer> ksymTypes = parsed == null ? Map.of() : BtfFixups.ksymTypes(parsed);
        Btf btf = parsed == null ? null : BtfFixups.markFunctionsStatic(BtfFixups.fixExterns(parsed),
                hiddenFunctions(elf));
        BtfExt ext = null;
        if (btf != null) {
            ext = elf.section(".BTF.ext").map(s -> BtfExt.parse(s.data(), btf)).orElse(null);
        }

        String objectName = objectName(elf.name());
        MapReader mapReader = new MapReader(elf, btf, objectName);
        List<MapSpec> maps = mapReader.maps();
        List<VariableSpec> variables = mapReader.variables();
        List<ProgramSpec> programs = new ProgramLinker(elf, ext, maps, ksymTypes, exceptionCallbacks(btf), license,
                version).programs();
        checkExterns(parsed, ksymTypes, programs);
        return new ObjectSpec(elf.name(), objectName, programs, maps, variables, btf, license, version);
    }

    /**
     * As libbpf when it opens an object ("failed to find BTF for extern"): an extern the programs use must be a
     * {@code __kconfig} or {@code __ksym} one, listed in the {@code .kconfig} or {@code .ksyms} section of the BTF.
     * Any other is defined in another object, which must be linked in first.
     */
    private static void checkExterns(Btf parsed, Map<String, Integer> ksymTypes, List<ProgramSpec> programs) {
        if (parsed == null) {
            return;
        }
        java.util.Set<String> known = new java.util.HashSet<>(ksymTypes.keySet());
        int kconfig = parsed.findId(".kconfig", dev.bpfunit.btf.Datasec.class).orElse(0);
        if (kconfig != 0) {
            for (dev.bpfunit.btf.VarSecinfo v : ((dev.bpfunit.btf.Datasec) parsed.type(kconfig)).vars()) {
                if (parsed.type(v.type()) instanceof dev.bpfunit.btf.Var var) {
                    known.add(var.name());
                }
            }
        }
        for (ProgramSpec p : programs) {
            for (dev.bpfunit.spec.Reference r : p.references()) {
                if (r instanceof dev.bpfunit.spec.Reference.Extern e && !known.contains(e.symbol())) {
                    throw new BpfException("program " + p.name() + " uses the extern '" + e.symbol() + "', which is "
                            + "declared neither __kconfig nor __ksym (the BTF's .kconfig and .ksyms sections do not "
                            + "list it): it is defined in another object, so link the objects into one first "
                            + "(bpftool gen object out.bpf.o a.bpf.o b.bpf.o); libbpf refuses to open it too");
                }
            }
        }
    }

    /** Global or weak functions in executable sections whose symbol is hidden or internal (libbpf marks them static). */
    private static java.util.Set<String> hiddenFunctions(ElfFile elf) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.isFunction() && (sym.isGlobal() || sym.isWeak()) && sym.sectionIndex() > 0
                    && sym.sectionIndex() < elf.sections().size() && elf.section(sym.sectionIndex()).isExecutable()
                    && (sym.visibility() == Elf.STV_HIDDEN || sym.visibility() == Elf.STV_INTERNAL)) {
                out.add(sym.name());
            }
        }
        return out;
    }

    /** Prefix of the decl tag that names a program's exception callback (BPF exceptions, 6.7+). */
    static final String EXCEPTION_CALLBACK_TAG = "exception_callback:";

    /**
     * Each program's exception callback, by program name: the function a {@code exception_callback:NAME} decl tag
     * on the program's BTF function names. The program calls it nowhere, so the linker appends it to the program.
     */
    private static Map<String, String> exceptionCallbacks(Btf btf) {
        Map<String, String> out = new java.util.HashMap<>();
        if (btf == null) {
            return out;
        }
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof dev.bpfunit.btf.DeclTag tag && tag.componentIdx() == -1
                    && tag.name().startsWith(EXCEPTION_CALLBACK_TAG)
                    && btf.type(tag.type()) instanceof dev.bpfunit.btf.Func f) {
                String previous = out.put(f.name(), tag.name().substring(EXCEPTION_CALLBACK_TAG.length()));
                if (previous != null) {
                    throw new BpfException("program " + f.name() + " has two exception callbacks (decl tags "
                            + EXCEPTION_CALLBACK_TAG + previous + " and " + tag.name() + "): the kernel takes one");
                }
            }
        }
        return out;
    }

    private static Btf fixDatasecs(ElfFile elf, Btf btf) {
        return BtfFixups.fixDatasecs(btf, new BtfFixups.DatasecInfo() {
            /** Per section index and name: the first non-section symbol, and the first symbol of any type. */
            private Map<Integer, Map<String, ElfSymbol>> firstNonSection;
            private Map<Integer, Map<String, ElfSymbol>> firstAny;

            private void index() {
                if (firstAny == null) {
                    firstNonSection = new HashMap<>();
                    firstAny = new HashMap<>();
                    for (ElfSymbol sym : elf.symbols()) {
                        firstAny.computeIfAbsent(sym.sectionIndex(), k -> new HashMap<>()).putIfAbsent(sym.name(), sym);
                        if (!sym.isSection()) {
                            firstNonSection.computeIfAbsent(sym.sectionIndex(), k -> new HashMap<>())
                                    .putIfAbsent(sym.name(), sym);
                        }
                    }
                }
            }

            private Optional<ElfSymbol> first(boolean sectionSymbols, String sectionName, String symbolName) {
                index();
                Map<Integer, Map<String, ElfSymbol>> bySection = sectionSymbols ? firstAny : firstNonSection;
                return elf.section(sectionName).map(sec -> bySection.getOrDefault(sec.index(), Map.of())
                        .get(symbolName));
            }

            @Override
            public OptionalLong sectionSize(String sectionName) {
                return elf.section(sectionName).map(s -> OptionalLong.of(s.size())).orElse(OptionalLong.empty());
            }

            @Override
            public OptionalLong symbolOffset(String sectionName, String symbolName) {
                return first(false, sectionName, symbolName).map(sym -> OptionalLong.of(sym.value()))
                        .orElse(OptionalLong.empty());
            }

            @Override
            public boolean symbolHidden(String sectionName, String symbolName) {
                return first(true, sectionName, symbolName).map(sym -> sym.visibility() == Elf.STV_HIDDEN)
                        .orElse(false);
            }
        });
    }

    /** The object name as libbpf derives it: the file name up to its first dot. */
    static String objectName(String fileName) {
        String base = fileName;
        int slash = base.lastIndexOf('/');
        if (slash >= 0) {
            base = base.substring(slash + 1);
        }
        int dot = base.indexOf('.');
        return dot > 0 ? base.substring(0, dot) : base;
    }

    static String cString(byte[] data) {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return new String(data, 0, end, StandardCharsets.UTF_8);
    }
}

package dev.bpfunit.btf;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Changes clang's BTF needs before {@code BPF_BTF_LOAD}, as libbpf does when it opens an object.
 */
public final class BtfFixups {
    private BtfFixups() {
    }

    /** What {@link #fixDatasecs} needs to know from the ELF file: section sizes and symbol values. */
    public interface DatasecInfo {
        /** The size of the ELF section with that name, or empty if the ELF has no such section. */
        OptionalLong sectionSize(String sectionName);

        /** The value (offset within its section) of the symbol with that name in that section, or empty. */
        OptionalLong symbolOffset(String sectionName, String symbolName);

        /**
         * Whether the symbol is global but has hidden or internal visibility; such a VAR is made static, as the
         * kernel would otherwise see two globals of the same name across objects. Default: no.
         */
        default boolean symbolHidden(String sectionName, String symbolName) {
            return false;
        }
    }

    /**
     * Fills in what clang leaves as zero in each DATASEC (as libbpf's {@code btf_fixup_datasec}): the section's
     * size from the ELF, and each global VAR's offset from its symbol; then sorts the variables by offset.
     * Static and extern VARs keep their offsets; {@code .kconfig}/{@code .ksyms} and DATASECs that already have a
     * size are only sorted. An empty DATASEC whose section is not in the ELF is left alone.
     */
    public static Btf fixDatasecs(Btf btf, DatasecInfo info) {
        Map<Integer, BtfType> changes = new HashMap<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof Datasec d) {
                Datasec fixed = fixDatasec(btf, d, info, changes);
                List<VarSecinfo> sorted = new ArrayList<>(fixed.vars());
                sorted.sort(Comparator.comparingInt(VarSecinfo::offset));
                fixed = new Datasec(fixed.name(), fixed.size(), sorted);
                if (!fixed.equals(d)) {
                    changes.put(id, fixed);
                }
            }
        }
        return changes.isEmpty() ? btf : btf.replaceTypes(changes);
    }

    /** The DATASEC with size and offsets filled in; VARs made static go into {@code varChanges}. */
    private static Datasec fixDatasec(Btf btf, Datasec d, DatasecInfo info, Map<Integer, BtfType> varChanges) {
        String sec = d.name();
        if (sec.equals(".kconfig") || sec.equals(".ksyms")) {
            return d;
        }
        boolean fixOffsets = d.size() == 0;
        int size = d.size();
        if (fixOffsets) {
            OptionalLong elfSize = info.sectionSize(sec);
            if (elfSize.isEmpty() || elfSize.getAsLong() == 0) {
                if (d.vars().isEmpty()) {
                    return d;
                }
                throw new BtfException("DATASEC '" + sec + "' has " + d.vars().size() + " variable(s) ("
                        + varNames(btf, d) + ") but the ELF has " + (elfSize.isEmpty() ? "no section '" + sec + "'"
                        : "an empty section '" + sec + "'") + ": the BTF does not belong to this object?");
            }
            if (elfSize.getAsLong() > Integer.MAX_VALUE) {
                throw new BtfException("section '" + sec + "' is " + elfSize.getAsLong() + " bytes, too large for BTF");
            }
            size = (int) elfSize.getAsLong();
        }
        List<VarSecinfo> vars = new ArrayList<>(d.vars().size());
        for (VarSecinfo v : d.vars()) {
            BtfType t = btf.type(v.type());
            if (!(t instanceof Var var)) {
                throw new BtfException("DATASEC '" + sec + "': entry for type [" + v.type() + "] is a " + t.kind()
                        + ", but only VARs are expected here");
            }
            if (var.linkage() != BtfLinkage.GLOBAL) {
                vars.add(v);
                continue;
            }
            int offset = v.offset();
            if (fixOffsets) {
                OptionalLong sym = info.symbolOffset(sec, var.name());
                if (sym.isEmpty()) {
                    throw new BtfException("DATASEC '" + sec + "': no ELF symbol for variable '" + var.name()
                            + "' in section '" + sec + "'");
                }
                if (sym.getAsLong() < 0 || sym.getAsLong() + v.size() > size) {
                    throw new BtfException("DATASEC '" + sec + "': variable '" + var.name() + "' at offset "
                            + sym.getAsLong() + " (" + v.size() + " bytes) lies outside the " + size + "-byte section");
                }
                offset = (int) sym.getAsLong();
            }
            if (info.symbolHidden(sec, var.name())) {
                varChanges.put(v.type(), new Var(var.name(), var.type(), BtfLinkage.STATIC));
            }
            vars.add(new VarSecinfo(v.type(), offset, v.size()));
        }
        return new Datasec(sec, size, vars);
    }

    private static String varNames(Btf btf, Datasec d) {
        List<String> names = new ArrayList<>();
        for (VarSecinfo v : d.vars()) {
            names.add(btf.type(v.type()).name());
        }
        return String.join(", ", names);
    }

    /**
     * The {@code .ksyms} externs of BTF not yet passed through {@link #fixExterns}: by name, the FUNC's id for a
     * kfunc, or for a variable the type it is declared with ({@code const void} counts as 0: untyped).
     */
    public static Map<String, Integer> ksymTypes(Btf btf) {
        Map<String, Integer> out = new HashMap<>();
        int ksyms = btf.findId(".ksyms", Datasec.class).orElse(0);
        if (ksyms == 0) {
            return out;
        }
        for (VarSecinfo v : ((Datasec) btf.type(ksyms)).vars()) {
            BtfType t = btf.type(v.type());
            if (t instanceof Func f) {
                out.put(f.name(), v.type());
            } else if (t instanceof Var var) {
                out.put(var.name(), btf.type(btf.resolve(var.type())) instanceof Void ? 0 : var.type());
            }
        }
        return out;
    }

    /** The name libbpf gives the placeholder VAR that stands for each kfunc in {@code .ksyms}. */
    public static final String DUMMY_KSYM = "dummy_ksym";

    /**
     * Marks the BTF functions named here static, as libbpf does for a global or weak function whose ELF symbol is
     * hidden ({@code __hidden}, {@code STV_HIDDEN} or {@code STV_INTERNAL}): the verifier then checks it in each
     * caller's context, as a static function, instead of once on its own from its BTF signature. For each name
     * the first global FUNC of that name changes; BTF without one is returned unchanged.
     */
    public static Btf markFunctionsStatic(Btf btf, java.util.Set<String> names) {
        Map<Integer, BtfType> changes = new HashMap<>();
        java.util.Set<String> left = new java.util.HashSet<>(names);
        for (int id = 1; id < btf.typeCount() && !left.isEmpty(); id++) {
            if (btf.type(id) instanceof Func f && f.linkage() == BtfLinkage.GLOBAL && left.remove(f.name())) {
                changes.put(id, new Func(f.name(), f.type(), BtfLinkage.STATIC));
            }
        }
        return changes.isEmpty() ? btf : btf.replaceTypes(changes);
    }

    /**
     * Makes the extern sections acceptable to {@code BPF_BTF_LOAD}, as libbpf does when it collects externs
     * (the kernel refuses extern VARs and FUNCs, and FUNCs inside a DATASEC):
     * <ul>
     * <li>{@code .kconfig}: lays the externs out as the {@code .kconfig} map's value (by alignment, largest first,
     * then by size and name), fills in the offsets and the size, and makes the VARs global;</li>
     * <li>{@code .ksyms}: each VAR becomes a global {@code int} and each FUNC is replaced by a placeholder VAR
     * {@value #DUMMY_KSYM} (4 bytes each); the FUNCs themselves become global and their unnamed parameters
     * get that name.</li>
     * </ul>
     * BTF without these sections is returned unchanged.
     */
    public static Btf fixExterns(Btf btf) {
        Map<Integer, BtfType> changes = new HashMap<>();
        List<BtfType> added = new ArrayList<>();
        int kconfig = btf.findId(".kconfig", Datasec.class).orElse(0);
        if (kconfig != 0) {
            changes.put(kconfig, layoutKconfig(btf, (Datasec) btf.type(kconfig), changes));
        }
        int ksyms = btf.findId(".ksyms", Datasec.class).orElse(0);
        if (ksyms != 0) {
            Datasec d = (Datasec) btf.type(ksyms);
            int intId = btf.idsByName("int").stream().filter(id -> btf.type(id) instanceof Int i && i.size() == 4)
                    .findFirst().orElse(-1);
            if (intId < 0) {
                intId = btf.typeCount();
                added.add(new Int("int", 4, Int.SIGNED, 0, 32));
            }
            int dummyId = -1;
            List<VarSecinfo> vars = new ArrayList<>();
            for (VarSecinfo v : d.vars()) {
                BtfType t = btf.type(v.type());
                int type = v.type();
                if (t instanceof Func f) {
                    if (dummyId < 0) {
                        dummyId = btf.typeCount() + added.size();
                        added.add(new Var(DUMMY_KSYM, intId, BtfLinkage.GLOBAL));
                    }
                    changes.put(v.type(), new Func(f.name(), f.type(), BtfLinkage.GLOBAL));
                    if (btf.type(f.type()) instanceof FuncProto fp) {
                        List<Param> params = new ArrayList<>();
                        for (Param p : fp.params()) {
                            params.add(p.name().isEmpty() && p.type() != 0 ? new Param(DUMMY_KSYM, p.type()) : p);
                        }
                        changes.put(f.type(), new FuncProto(fp.returnType(), params));
                    }
                    type = dummyId;
                } else if (t instanceof Var var) {
                    changes.put(v.type(), new Var(var.name(), intId, BtfLinkage.GLOBAL));
                } else {
                    throw new BtfException("DATASEC '.ksyms': entry for type [" + v.type() + "] is a " + t.kind()
                            + ", expected an extern VAR or FUNC");
                }
                vars.add(new VarSecinfo(type, vars.size() * 4, 4));
            }
            changes.put(ksyms, new Datasec(d.name(), vars.size() * 4, vars));
        }
        if (changes.isEmpty() && added.isEmpty()) {
            return btf;
        }
        Btf grown = added.isEmpty() ? btf : btf.addTypes(added);
        return grown.replaceTypes(changes);
    }

    private static Datasec layoutKconfig(Btf btf, Datasec d, Map<Integer, BtfType> changes) {
        record Extern(VarSecinfo entry, Var var, int size, int align) {
        }
        List<Extern> externs = new ArrayList<>();
        for (VarSecinfo v : d.vars()) {
            if (!(btf.type(v.type()) instanceof Var var)) {
                throw new BtfException("DATASEC '.kconfig': entry for type [" + v.type() + "] is a "
                        + btf.type(v.type()).kind() + ", expected an extern VAR");
            }
            long size = btf.sizeOf(var.type());
            if (size <= 0 || size > Integer.MAX_VALUE / 2) {
                throw new BtfException("kconfig extern '" + var.name() + "' has size " + size);
            }
            externs.add(new Extern(v, var, (int) size, btf.alignOf(var.type())));
        }
        externs.sort(Comparator.comparingInt((Extern e) -> -e.align()).thenComparingInt(Extern::size)
                .thenComparing(e -> e.var().name()));
        int offset = 0;
        List<VarSecinfo> laidOut = new ArrayList<>();
        for (Extern e : externs) {
            offset = (offset + e.align() - 1) / e.align() * e.align();
            laidOut.add(new VarSecinfo(e.entry().type(), offset, e.size()));
            changes.put(e.entry().type(), new Var(e.var().name(), e.var().type(), BtfLinkage.GLOBAL));
            offset += e.size();
        }
        return new Datasec(d.name(), offset, laidOut);
    }
}

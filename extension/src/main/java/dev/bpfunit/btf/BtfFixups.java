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
}

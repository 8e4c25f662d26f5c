package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BtfFixupsTest {
    private final Btf btf = Fixtures.btf("types");
    private final ObjdumpFacts elf = new ObjdumpFacts("types");

    private Datasec datasec(Btf b, String name) {
        return b.type(b.id(name, Datasec.class), Datasec.class);
    }

    private List<String> varsAt(Btf b, Datasec d) {
        return d.vars().stream().map(v -> b.type(v.type()).name() + "@" + v.offset() + "+" + v.size()).toList();
    }

    @Test
    void sizesAndOffsetsComeFromTheElfAndVariablesAreSortedByOffset() {
        assertThat(datasec(btf, ".data").size()).isZero();

        Btf fixed = BtfFixups.fixDatasecs(btf, elf);

        for (String sec : List.of(".data", ".bss", ".rodata", ".maps", "license")) {
            Datasec d = datasec(fixed, sec);
            assertThat((long) d.size()).as(sec).isEqualTo(elf.sectionSizes.get(sec));
            for (VarSecinfo v : d.vars()) {
                Var var = fixed.type(v.type(), Var.class);
                assertThat((long) v.offset()).as(var.name()).isEqualTo(elf.symbolOffset(sec, var.name()).orElseThrow());
            }
            assertThat(d.vars()).extracting(VarSecinfo::offset).isSorted();
        }
        assertThat(varsAt(fixed, datasec(fixed, ".data")))
                .containsExactly("tagged_var@0+4", "global_stats@8+152", "static_counter@160+4");
        assertThat(varsAt(fixed, datasec(fixed, ".bss"))).containsExactly("zeroed@0+32", "fwd_ptr@32+8", "user_ptr@40+8");
        // Everything but the DATASECs is untouched.
        for (int id = 0; id < btf.typeCount(); id++) {
            if (!(btf.type(id) instanceof Datasec)) {
                assertThat(fixed.type(id)).isSameAs(btf.type(id));
            }
        }
        assertThat(BtfFixups.fixDatasecs(fixed, elf).types()).isEqualTo(fixed.types());
    }

    @Test
    void aMissingSymbolIsNamed() {
        BtfFixups.DatasecInfo noStats = new BtfFixups.DatasecInfo() {
            @Override
            public OptionalLong sectionSize(String sectionName) {
                return elf.sectionSize(sectionName);
            }

            @Override
            public OptionalLong symbolOffset(String sectionName, String symbolName) {
                return symbolName.equals("global_stats") ? OptionalLong.empty() : elf.symbolOffset(sectionName, symbolName);
            }
        };

        assertThatThrownBy(() -> BtfFixups.fixDatasecs(btf, noStats)).isInstanceOf(BtfException.class)
                .hasMessage("DATASEC '.data': no ELF symbol for variable 'global_stats' in section '.data'");
    }

    @Test
    void aMissingSectionIsAnErrorUnlessTheDatasecIsEmpty() {
        BtfFixups.DatasecInfo noBss = info(name -> !name.equals(".bss"), false);
        assertThatThrownBy(() -> BtfFixups.fixDatasecs(btf, noBss)).isInstanceOf(BtfException.class)
                .hasMessageContaining("DATASEC '.bss' has 3 variable(s) (zeroed, fwd_ptr, user_ptr) but the ELF has no section '.bss'");

        Btf withEmpty = btf.addTypes(List.of(new Datasec(".data.empty", 0, List.of())));
        Btf fixed = BtfFixups.fixDatasecs(withEmpty, elf);
        assertThat(fixed.type(withEmpty.typeCount() - 1)).isEqualTo(new Datasec(".data.empty", 0, List.of()));
    }

    @Test
    void hiddenGlobalsBecomeStaticAndSizedDatasecsAreOnlySorted() {
        Btf fixed = BtfFixups.fixDatasecs(btf, info(name -> true, true));
        assertThat(fixed.type(fixed.id("global_stats", Var.class), Var.class).linkage()).isEqualTo(BtfLinkage.STATIC);
        assertThat(fixed.type(fixed.id("static_counter", Var.class), Var.class).linkage()).isEqualTo(BtfLinkage.STATIC);

        int id = btf.id(".rodata", Datasec.class);
        int roConst = btf.id("ro_const", Var.class);
        Btf presized = btf.addTypes(List.of(new Var("ro_other", btf.id("int", Int.class), BtfLinkage.GLOBAL)));
        int other = presized.typeCount() - 1;
        presized = presized.replaceTypes(java.util.Map.of(id,
                new Datasec(".rodata", 8, List.of(new VarSecinfo(other, 4, 4), new VarSecinfo(roConst, 0, 4)))));
        Btf sorted = BtfFixups.fixDatasecs(presized, info(name -> true, false));
        assertThat(sorted.type(id)).isEqualTo(
                new Datasec(".rodata", 8, List.of(new VarSecinfo(roConst, 0, 4), new VarSecinfo(other, 4, 4))));
    }

    private BtfFixups.DatasecInfo info(java.util.function.Predicate<String> hasSection, boolean hidden) {
        return new BtfFixups.DatasecInfo() {
            @Override
            public OptionalLong sectionSize(String sectionName) {
                return hasSection.test(sectionName) ? elf.sectionSize(sectionName) : OptionalLong.empty();
            }

            @Override
            public OptionalLong symbolOffset(String sectionName, String symbolName) {
                return elf.symbolOffset(sectionName, symbolName);
            }

            @Override
            public boolean symbolHidden(String sectionName, String symbolName) {
                return hidden;
            }
        };
    }
}

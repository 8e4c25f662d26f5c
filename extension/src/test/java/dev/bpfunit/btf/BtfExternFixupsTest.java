package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BtfFixups.fixExterns: the .kconfig layout and the .ksyms rewrite libbpf does before BPF_BTF_LOAD. */
class BtfExternFixupsTest {

    private static final Btf EXTERNS = CoreRelocatorTest.empty().addTypes(List.of(
            new Int("int", 4, Int.SIGNED, 0, 32),                                   // 1
            new Int("_Bool", 1, Int.BOOL, 0, 8),                                    // 2
            new Int("long long", 8, Int.SIGNED, 0, 64),                             // 3
            new Var("LINUX_KERNEL_VERSION", 1, BtfLinkage.EXTERN),                  // 4
            new Var("CONFIG_BPF_JIT", 2, BtfLinkage.EXTERN),                        // 5
            new Var("CONFIG_BIG", 3, BtfLinkage.EXTERN),                            // 6
            new Datasec(".kconfig", 0, List.of(new VarSecinfo(4, 0, 4), new VarSecinfo(5, 0, 1),
                    new VarSecinfo(6, 0, 8))),                                      // 7
            new FuncProto(0, List.of(new Param("", 1))),                            // 8
            new Func("bpf_kfunc", 8, BtfLinkage.EXTERN),                            // 9
            new Const(0),                                                           // 10
            new Var("_text", 10, BtfLinkage.EXTERN),                                // 11
            new Var("runqueues", 3, BtfLinkage.EXTERN),                             // 12
            new Datasec(".ksyms", 0, List.of(new VarSecinfo(9, 0, 0), new VarSecinfo(11, 0, 0),
                    new VarSecinfo(12, 0, 0)))));                                   // 13

    @Test
    void kconfigExternsAreLaidOutByAlignmentThenSizeThenName() {
        Btf fixed = BtfFixups.fixExterns(EXTERNS);
        Datasec kconfig = fixed.type(7, Datasec.class);
        assertThat(kconfig.vars()).containsExactly(new VarSecinfo(6, 0, 8), new VarSecinfo(4, 8, 4),
                new VarSecinfo(5, 12, 1));
        assertThat(kconfig.size()).isEqualTo(13);
        assertThat(fixed.type(4, Var.class).linkage()).isEqualTo(BtfLinkage.GLOBAL);
    }

    @Test
    void ksymsBecomeAllocatedVariablesAndKfuncsGetAPlaceholder() {
        Btf fixed = BtfFixups.fixExterns(EXTERNS);
        Datasec ksyms = fixed.type(13, Datasec.class);
        int dummy = fixed.id(BtfFixups.DUMMY_KSYM, Var.class);
        assertThat(ksyms.vars()).containsExactly(new VarSecinfo(dummy, 0, 4), new VarSecinfo(11, 4, 4),
                new VarSecinfo(12, 8, 4));
        assertThat(ksyms.size()).isEqualTo(12);
        assertThat(fixed.type(9, Func.class).linkage()).isEqualTo(BtfLinkage.GLOBAL);
        assertThat(fixed.type(8, FuncProto.class).params()).containsExactly(new Param(BtfFixups.DUMMY_KSYM, 1));
        assertThat(fixed.type(11, Var.class)).isEqualTo(new Var("_text", 1, BtfLinkage.GLOBAL));
        // the kernel accepts it: it encodes, and nothing extern is left
        assertThat(Btf.parse(fixed.encode()).types()).noneMatch(t -> t instanceof Var v && v.linkage() == BtfLinkage.EXTERN
                || t instanceof Func f && f.linkage() == BtfLinkage.EXTERN);
    }

    @Test
    void ksymTypesRememberWhatTheFixupsReplace() {
        assertThat(BtfFixups.ksymTypes(EXTERNS)).isEqualTo(Map.of("bpf_kfunc", 9, "_text", 0, "runqueues", 3));
        assertThat(BtfFixups.fixExterns(CoreRelocatorTest.LOCAL)).isSameAs(CoreRelocatorTest.LOCAL);
    }
}

package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.BpfObject;
import dev.bpfunit.VerifierException;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.sys.Fd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Constructs where bpfunit's loader differed from libbpf's on the kernel's BPF selftests (the sweep,
 * {@code samples/sweep/README.md}), each reduced to a sample and checked against bpftool (libbpf) here.
 */
class LibbpfParityTest {

    @Test
    void subprogramsAreLaidOutDepthFirstAsLibbpfDoes() {
        ProgramSpec p = BpfObject.loader(object("subprog_order")).spec().program("xdp_order");
        assertThat(p.funcInfos()).hasSize(4);
        // func info follows the layout: each function's record at its first instruction, in increasing order
        assertThat(p.funcInfos()).extracting(f -> f.insnOffset()).isSorted().doesNotHaveDuplicates();
        Xlated.assertSameAsBpftool("subprog_order", "xdp_order");
        assertPassesFrom60Bytes("subprog_order", "xdp_order");
    }

    @Test
    void aHiddenGlobalFunctionIsVerifiedAsStaticAsLibbpfMarksIt() {
        dev.bpfunit.btf.Btf btf = BpfObject.loader(object("hidden_func")).spec().btf();
        dev.bpfunit.btf.Func f = (dev.bpfunit.btf.Func) btf.type(btf.id("frame_len", dev.bpfunit.btf.Func.class));
        assertThat(f.linkage()).isEqualTo(dev.bpfunit.btf.BtfLinkage.STATIC);
        // as a global function the verifier would refuse it: its pointer argument may be NULL there
        Xlated.assertSameAsBpftool("hidden_func", "xdp_hidden");
        assertPassesFrom60Bytes("hidden_func", "xdp_hidden");
    }

    /** Both samples return XDP_PASS (2) for a packet of 60 bytes or more and XDP_DROP (1) below. */
    private static void assertPassesFrom60Bytes(String object, String program) {
        try (BpfObject obj = BpfObject.loader(object(object)).coverage(false).load()) {
            assertThat(obj.program(program).run(new byte[60]).retval()).isEqualTo(2);
            assertThat(obj.program(program).run(new byte[59]).retval()).isEqualTo(1);
        }
    }

    @Test
    void aQuestionMarkSectionIsLoadedOnlyWhenAskedForAsLibbpfDoes() {
        ProgramSpec optional = BpfObject.loader(object("optional_prog")).spec().program("xdp_optional");
        assertThat(optional.type()).isEqualTo(dev.bpfunit.spec.ProgramType.XDP);
        assertThat(optional.autoload()).isFalse();
        // libbpf leaves it out: bpftool 7.1's loadall then fails to pin it, saying it was not loaded
        assertThatThrownBy(() -> Bpftool.loadAll(object("optional_prog")).close())
                .hasMessageContaining("prog 'xdp_optional': can't pin program that wasn't loaded");
        try (BpfObject ours = BpfObject.loader(object("optional_prog")).coverage(false).load()) {
            assertThat(ours.programs()).extracting(dev.bpfunit.BpfProgram::name).containsExactly("xdp_always");
            assertThatThrownBy(() -> ours.program("xdp_optional")).isInstanceOf(BpfException.class)
                    .hasMessageContaining("its section '?xdp' starts with '?'")
                    .hasMessageContaining("autoload(\"xdp_optional\")");
        }
        try (BpfObject obj = BpfObject.loader(object("optional_prog")).coverage(false).autoload("xdp_optional")
                .load()) {
            assertThat(obj.program("xdp_optional").run(new byte[60]).retval()).isEqualTo(1);
        }
    }

    @Test
    void storageMapsWithoutMaxEntriesAreCreatedAsLibbpfDoes() {
        try (Bpftool.Loaded reference = Bpftool.loadAll(object("storage_maps"));
             BpfObject ours = BpfObject.loader(object("storage_maps")).coverage(false).load()) {
            assertThat(ours.map("seen").spec().type()).isEqualTo(MapType.SK_STORAGE);
            assertThat(ours.map("packets").spec().type()).isEqualTo(MapType.CGROUP_STORAGE);
            for (String map : List.of("seen", "packets")) {
                Bpftool.MapInfo theirs = reference.map(map);
                dev.bpfunit.MapInfo mine = ours.map(map).info();
                assertThat(List.of(mine.keySize(), mine.valueSize(), mine.maxEntries(), (long) mine.flags()))
                        .as(map).isEqualTo(List.of(theirs.keySize(), theirs.valueSize(), theirs.maxEntries(),
                                theirs.flags()));
                assertThat(mine.maxEntries()).isZero();
            }
            for (String program : List.of("count_egress", "sock_ops_seen")) {
                assertThat(Xlated.ofOurs(ours, program)).as(program).isEqualTo(Xlated.ofBpftool(reference, program));
            }
        }
    }

    @Test
    void anObjectWhoseBtfTheKernelRefusesLoadsWithoutItAsLibbpfDoes() {
        int before = Fd.openedByThisThread();
        try (Bpftool.Loaded reference = Bpftool.loadAll(object("btf_refused"));
             BpfObject ours = BpfObject.loader(object("btf_refused")).coverage(false).load()) {
            assertThat(ours.program("xdp_pass_all").info().btfId()).isZero();
            assertThat(reference.program("xdp_pass_all").id()).isPositive();
            assertThat(Xlated.ofOurs(ours, "xdp_pass_all")).isEqualTo(Xlated.ofBpftool(reference, "xdp_pass_all"));
            assertThat(ours.program("xdp_pass_all").run(new byte[14]).retval()).isEqualTo(2);
        }
        assertThat(Fd.openedByThisThread()).isEqualTo(before);
    }

    @Test
    void aFailureAfterTheBtfWasRefusedSaysSo() {
        // the object loads without BTF, and a later failure (here: a program type forced to one that cannot
        // load it) carries why the BTF was left out
        assertThatThrownBy(() -> BpfObject.loader(object("btf_refused")).coverage(false)
                .programType("xdp_pass_all", dev.bpfunit.spec.ProgramType.CGROUP_SKB).load())
                .isInstanceOf(VerifierException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().asString()
                        .contains("BPF_BTF_LOAD of btf_refused.bpf.o's BTF failed, so the object was loaded without BTF")
                        .contains("Unexpected size"));
    }

    @Test
    void structOpsProgramsAreRefusedSayingSo() {
        // a struct_ops program needs its .struct_ops map, which bpfunit does not create (README: Limitations)
        assertThat(BpfObject.loader(object("struct_ops_cc")).spec().program("sample_ssthresh").type())
                .isEqualTo(dev.bpfunit.spec.ProgramType.STRUCT_OPS);
        int before = Fd.openedByThisThread();
        assertThatThrownBy(() -> BpfObject.load(object("struct_ops_cc")))
                .isInstanceOf(BpfException.class).isNotInstanceOf(VerifierException.class)
                .hasMessageContaining("program 'sample_ssthresh' (section 'struct_ops/sample_ssthresh'): struct_ops "
                        + "programs are not supported")
                .hasMessageContaining("skipProgram(\"sample_ssthresh\")");
        assertThat(Fd.openedByThisThread()).isEqualTo(before);
    }
}

package dev.bpfunit.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.bpfunit.btf.Func;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.VariableSpec;
import org.junit.jupiter.api.Test;

/** extern.bpf.o: kfunc calls become call externs, __kconfig externs a .kconfig map the loader fills. */
class ObjectReaderExternTest {

    @Test
    void kfuncCallsAndKconfigExterns() {
        ObjectSpec spec = ObjectReader.read(Fixtures.bytes("extern.bpf.o"), "extern.bpf.o");
        ProgramSpec p = spec.program("ext");
        int lock = spec.btf().id("bpf_rcu_read_lock", Func.class);
        int unlock = spec.btf().id("bpf_rcu_read_unlock", Func.class);
        assertThat(p.references()).filteredOn(r -> r instanceof Reference.Extern)
                .map(r -> (Reference.Extern) r)
                .extracting(Reference.Extern::slot, Reference.Extern::symbol, Reference.Extern::call,
                        Reference.Extern::weak, Reference.Extern::btfTypeId)
                .containsExactly(tuple(2, "bpf_rcu_read_lock", true, false, lock),
                        tuple(10, "bpf_rcu_read_unlock", true, false, unlock),
                        tuple(11, "LINUX_KERNEL_VERSION", false, false, 0),
                        tuple(16, "CONFIG_BPF_JIT", false, true, 0));
        MapSpec kconfig = spec.map(".kconfig");
        assertThat(kconfig.kind()).isEqualTo(MapKind.KCONFIG);
        assertThat(kconfig.valueSize()).isEqualTo(5);
        assertThat(kconfig.kernelName()).isEqualTo("extern.kconfig");
        assertThat(spec.variables()).filteredOn(v -> v.map().equals(".kconfig"))
                .extracting(VariableSpec::name, VariableSpec::offset, VariableSpec::size)
                .containsExactly(tuple("LINUX_KERNEL_VERSION", 0, 4), tuple("CONFIG_BPF_JIT", 4, 1));
    }

    @Test
    void anExternThatIsNeitherKconfigNorKsymIsRefusedAsLibbpfRefusesIt() {
        // libbpf: "failed to find BTF for extern 'defined_elsewhere' [9] section: -2" when it opens the object
        assertThatThrownBy(() -> ObjectReader.read(Fixtures.bytes("unlinked_extern.bpf.o"), "unlinked_extern.bpf.o"))
                .isInstanceOf(dev.bpfunit.error.BpfException.class)
                .hasMessageContaining("program calls_elsewhere uses the extern 'defined_elsewhere', which is declared "
                        + "neither __kconfig nor __ksym")
                .hasMessageContaining("bpftool gen object");
    }
}

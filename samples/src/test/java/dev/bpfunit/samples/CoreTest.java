package dev.bpfunit.samples;

import static dev.bpfunit.samples.Samples.object;
import static dev.bpfunit.samples.Samples.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.VerifierException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfType;
import dev.bpfunit.btf.CoreFixup;
import dev.bpfunit.btf.CoreRelo;
import dev.bpfunit.btf.CoreRelocator;
import dev.bpfunit.btf.CoreResult;
import dev.bpfunit.btf.Member;
import dev.bpfunit.btf.Struct;
import dev.bpfunit.junit.EnabledOnKernel;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.VariableSpec;
import dev.bpfunit.sys.KernelConfig;
import dev.bpfunit.sys.KernelSymbols;
import dev.bpfunit.sys.SystemInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CO-RE and externs against this machine's kernel: the samples written against vmlinux.h load, relocate as
 * libbpf relocates them (identical translated instructions), report an unsatisfiable relocation in words, and
 * relocate differently for another kernel's BTF.
 */
class CoreTest {

    /** An Ethernet + IPv4 frame of 64 bytes. */
    private static byte[] packet() {
        byte[] p = new byte[64];
        p[12] = 0x08;
        p[14] = 0x45;
        p[16] = 0;
        p[17] = 50;
        p[23] = 17;
        return p;
    }

    private static byte[] bss(BpfObject obj) {
        return obj.map(".bss").lookup(u32(0)).orElseThrow();
    }

    private static int intVar(BpfObject obj, byte[] bss, String name) {
        VariableSpec v = obj.spec().findVariable(name).orElseThrow();
        return ByteBuffer.wrap(bss).order(ByteOrder.LITTLE_ENDIAN).getInt(v.offset());
    }

    private static long longVar(BpfObject obj, byte[] bss, String name) {
        VariableSpec v = obj.spec().findVariable(name).orElseThrow();
        return ByteBuffer.wrap(bss).order(ByteOrder.LITTLE_ENDIAN).getLong(v.offset());
    }

    @Test
    void tcProgramReadsSkbFieldsThroughCoRe() {
        try (BpfObject obj = BpfObject.load(object("core_tc"))) {
            ProgramSpec spec = obj.program("core_tc").spec();
            assertThat(spec.coreRelos()).extracting(CoreRelo::kind).contains(
                    dev.bpfunit.btf.CoreReloKind.FIELD_BYTE_OFFSET, dev.bpfunit.btf.CoreReloKind.FIELD_EXISTS,
                    dev.bpfunit.btf.CoreReloKind.TYPE_SIZE, dev.bpfunit.btf.CoreReloKind.ENUMVAL_VALUE);
            int retval = obj.program("core_tc").testRun().data(packet()).dataOutSize(256).run().retval();
            assertThat(retval).isZero();
            byte[] bss = bss(obj);
            assertThat(intVar(obj, bss, "seen_len")).isEqualTo(64);
            assertThat(intVar(obj, bss, "seen_protocol")).as("ETH_P_IP in network order").isEqualTo(0x0008);
            assertThat(intVar(obj, bss, "has_tstamp")).isEqualTo(1);
            assertThat(intVar(obj, bss, "has_missing")).isZero();
            assertThat(intVar(obj, bss, "missing_value")).isZero();
            Btf vmlinux = Btf.vmlinux();
            assertThat(intVar(obj, bss, "skb_size")).isEqualTo(vmlinux.sizeOf(vmlinux.id("__sk_buff", Struct.class)));
            assertThat(intVar(obj, bss, "trace_printk_id")).isEqualTo(6);
        }
    }

    @Test
    void theGuardedReadOfAMissingFieldIsPoisonedDeadCode() {
        ObjectSpec spec = BpfObject.loader(object("core_tc")).spec();
        ProgramSpec p = spec.program("core_tc");
        CoreResult r = new CoreRelocator(spec.btf(), Btf.vmlinux(), List.of(), "this kernel")
                .relocate(p.instructions(), p.coreRelos());
        assertThat(r.poisoned()).singleElement().extracting(CoreFixup::describe).isEqualTo(
                "CO-RE relocation for __sk_buff___bpfunit.bpfunit_missing: no field 'bpfunit_missing' on this "
                        + "kernel's __sk_buff");
    }

    @Test
    void anUnsatisfiableRelocationIsExplainedWhenTheVerifierRejectsIt() {
        assertThatThrownBy(() -> BpfObject.load(object("core_missing")))
                .isInstanceOf(VerifierException.class)
                .hasMessageContaining("unknown#195896080")
                .hasMessageContaining("because: CO-RE relocation for task_struct___bpfunit.bpfunit_no_such_field: "
                        + "no field 'bpfunit_no_such_field' on this kernel's task_struct")
                .satisfies(e -> assertThat(((VerifierException) e).verifierLog().cause()).isPresent());
    }

    @Test
    @EnabledOnKernel(min = "6.2", reason = "kfunc bpf_task_acquire for tracing programs")
    void tpBtfProgramWithKfuncsLoadsLikeBpftoolLoadsIt() {
        Xlated.assertSameAsBpftool("core_tracing", "on_switch");
        try (BpfObject obj = BpfObject.load(object("core_tracing"))) {
            List<Reference.Extern> kfuncs = obj.program("on_switch").spec().references().stream()
                    .filter(r -> r instanceof Reference.Extern).map(r -> (Reference.Extern) r).toList();
            assertThat(kfuncs).extracting(Reference.Extern::symbol, Reference.Extern::call)
                    .containsOnly(org.assertj.core.groups.Tuple.tuple("bpf_task_acquire", true),
                            org.assertj.core.groups.Tuple.tuple("bpf_task_release", true));
// the kernel turns kfunc calls into addresses in the translated code, so their BTF ids are checked by
            // the comparison with bpftool above; here: the program runs them
            assertThat(obj.program("on_switch").info().xlatedProgLen()).isPositive();
        }
    }

    @Test
    void tcProgramAndExternsTranslateLikeBpftool() {
        Xlated.assertSameAsBpftool("core_tc", "core_tc");
        Xlated.assertSameAsBpftool("core_externs", "core_externs");
    }

    @Test
    void kconfigAndKsymExternsGetTheKernelsValues() throws IOException {
        try (BpfObject obj = BpfObject.load(object("core_externs"))) {
            assertThat(obj.map(".kconfig").spec().kind()).isEqualTo(MapKind.KCONFIG);
            assertThat(obj.map(".kconfig").info().name()).isEqualTo("core_ex.kconfig");
            obj.program("core_externs").testRun().data(packet()).dataOutSize(256).run();
            byte[] bss = bss(obj);
            KernelConfig config = KernelConfig.running();
            assertThat(intVar(obj, bss, "kernel_version")).isEqualTo(SystemInfo.kernelVersionCode());
            assertThat(intVar(obj, bss, "hz")).isEqualTo(Integer.parseInt(config.value("CONFIG_HZ").orElseThrow()));
            assertThat(intVar(obj, bss, "bpf_syscall") & 0xff).isEqualTo(1);
            assertThat(intVar(obj, bss, "bpf_jit")).as("tristate y").isEqualTo(1);
            assertThat(intVar(obj, bss, "not_an_option")).as("weak, absent").isZero();
            assertThat(intVar(obj, bss, "syscall_wrapper") & 0xff).isEqualTo(
                    KernelSymbols.running(List.of("__x64_sys_bpf")).address("__x64_sys_bpf").isPresent() ? 1 : 0);
            VariableSpec host = obj.spec().findVariable("hostname").orElseThrow();
            String hostname = new String(bss, host.offset(), host.size(), StandardCharsets.UTF_8).replace("\0", "");
            assertThat('"' + hostname + '"').isEqualTo(config.value("CONFIG_DEFAULT_HOSTNAME").orElseThrow());
            assertThat(longVar(obj, bss, "text_address")).isEqualTo(
                    KernelSymbols.running(List.of("_text")).address("_text").orElseThrow());
        }
    }

    @Test
    void typedKsymIsResolvedToItsBtfIdAndTheKernelLooksItUp() {
        // This kernel's kallsyms lists no data symbols, so it cannot place bpf_prog_active; the message shows it
        // received the variable's BTF id (libbpf fails here the same way).
        if (KernelSymbols.running(List.of("bpf_prog_active")).address("bpf_prog_active").isPresent()) {
            try (BpfObject obj = BpfObject.load(object("core_typed_ksym"))) {
                assertThat(obj.program("core_typed_ksym").info().xlatedProgLen()).isPositive();
            }
            return;
        }
        assertThatThrownBy(() -> BpfObject.load(object("core_typed_ksym")))
                .isInstanceOf(VerifierException.class)
                .hasMessageContaining("ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'");
    }

    @Test
    void fentryProgramGetsItsAttachIdAndAClearErrorWhenTrampolinesAreRefused() {
        ObjectSpec spec = BpfObject.loader(object("core_fentry")).spec();
        ProgramSpec p = spec.program("on_nanosleep");
        CoreResult r = new CoreRelocator(spec.btf(), Btf.vmlinux(), List.of(), "this kernel")
                .relocate(p.instructions(), p.coreRelos());
        assertThat(r.poisoned()).isEmpty();
        assertThat(r.fixups()).extracting(CoreFixup::access).contains("hrtimer_sleeper.timer.node.expires");
        Btf vmlinux = Btf.vmlinux();
        int id = vmlinux.id("do_nanosleep", dev.bpfunit.btf.Func.class);
        try (BpfObject obj = BpfObject.load(object("core_fentry"))) {
            assertThat(obj.program("on_nanosleep").info().xlatedProgLen()).isPositive();
        } catch (VerifierException e) {
            throw e;
        } catch (BpfException e) {
            assertThat(e).hasMessageContaining("EPERM").hasMessageContaining("attaching to 'do_nanosleep', BTF id "
                    + id + " in this kernel");
        }
    }

    @Test
    void anotherKernelsBtfRelocatesOffsetsDifferently(@TempDir Path dir) throws IOException {
        // "another kernel": this kernel's BTF with a field added at the front of struct hrtimer_sleeper, so that
        // every member after it moves by 64 bytes
        Btf vmlinux = Btf.vmlinux();
        int id = vmlinux.id("hrtimer_sleeper", Struct.class);
        Struct s = (Struct) vmlinux.type(id);
        List<Member> moved = new ArrayList<>();
        for (Member m : s.members()) {
            moved.add(new Member(m.name(), m.type(), m.bitOffset() + 512, m.bitfieldSize()));
        }
        Map<Integer, BtfType> changes = new HashMap<>();
        changes.put(id, new Struct(s.name(), s.size() + 64, moved));
        Path other = dir.resolve("other-vmlinux.btf");
        Files.write(other, vmlinux.replaceTypes(changes).encode());

        ObjectSpec spec = BpfObject.loader(object("core_fentry")).spec();
        ProgramSpec p = spec.program("on_nanosleep");
        CoreRelo expires = p.coreRelos().stream().filter(r -> new CoreRelocator(spec.btf(), vmlinux).fixup(r)
                .access().equals("hrtimer_sleeper.timer.node.expires")).findFirst().orElseThrow();
        long here = new CoreRelocator(spec.btf(), vmlinux).fixup(expires).targetValue();
        long there = new CoreRelocator(spec.btf(), Btf.read(other)).fixup(expires).targetValue();
        assertThat(there).isEqualTo(here + 64);

        // through the loader: relocated against the file, the tc sample still loads (its types did not move)
        try (BpfObject obj = BpfObject.loader(object("core_tc")).targetBtf(other).load()) {
            assertThat(obj.program("core_tc").info().xlatedProgLen()).isPositive();
        }
        // and a missing-field message names the file
        assertThatThrownBy(() -> BpfObject.loader(object("core_missing")).targetBtf(other).load())
                .hasMessageContaining("no field 'bpfunit_no_such_field' on " + other + "'s task_struct");
    }

    @Test
    void aBadTargetBtfFileIsNamedWithWhatIsWrongWithIt(@TempDir Path dir) throws IOException {
        // an ELF cut short: the start of a real object, whose section headers lie past the end
        byte[] elf = Files.readAllBytes(object("core_tc"));
        Path truncated = dir.resolve("truncated.o");
        Files.write(truncated, java.util.Arrays.copyOf(elf, 200));
        assertThatThrownBy(() -> BpfObject.loader(object("core_tc")).targetBtf(truncated).load())
                .isInstanceOf(dev.bpfunit.ObjectLoadException.class)
                .hasMessageStartingWith("object core_tc.bpf.o: program 'core_tc': the target BTF (targetBtf): "
                        + truncated + ": ELF: ")
                .hasMessageContaining("truncated or corrupt")
                .hasMessageEndingWith("or an ELF file with a .BTF section")
                .hasRootCauseInstanceOf(dev.bpfunit.rawelf.ElfFormatException.class);
        // neither ELF nor BTF
        Path garbage = dir.resolve("garbage.btf");
        Files.writeString(garbage, "this is not BTF at all");
        assertThatThrownBy(() -> BpfObject.loader(object("core_tc")).targetBtf(garbage).load())
                .hasMessageContaining("the target BTF (targetBtf): " + garbage + ": ")
                .hasMessageContaining("magic");
        Path missing = dir.resolve("missing.btf");
        assertThatThrownBy(() -> BpfObject.loader(object("core_tc")).targetBtf(missing).load())
                .hasMessageContaining("BTF file " + missing + " does not exist");
    }

}

package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.asm.Opcodes;
import dev.bpfunit.btf.Array;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfType;
import dev.bpfunit.btf.CoreRelocator;
import dev.bpfunit.btf.Enum;
import dev.bpfunit.btf.Func;
import dev.bpfunit.btf.Int;
import dev.bpfunit.btf.Var;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.Reference;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.VariableSpec;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.KernelConfig;
import dev.bpfunit.sys.KernelSymbols;
import dev.bpfunit.sys.SystemInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Resolves an object's externs against the target kernel, as libbpf does: {@code __kconfig} values for the
 * {@code .kconfig} map, {@code __ksym} variables (typed: by BTF id; untyped: by address from kallsyms) and kfunc
 * calls (by BTF id, with the module's BTF fd through {@code fd_array}).
 */
final class ExternResolver {
    /** The helper id an unresolved weak kfunc call becomes, plus the extern's index (libbpf's value). */
    static final int POISON_KFUNC_BASE = 2002000000;
    /** The map holding the {@code __kconfig} externs. */
    static final String KCONFIG_MAP = ".kconfig";

    private final ObjectSpec spec;
    private final KernelTarget target;
    private KernelSymbols kallsyms;
    private KernelConfig config;
    private final List<String> poisonedKfuncs = new ArrayList<>();
    /** Whether each referenced kconfig extern is weak (absent from the config, it stays 0). */
    private final Map<String, Boolean> weakKconfig = new HashMap<>();

    ExternResolver(ObjectSpec spec, KernelTarget target) {
        this.spec = spec;
        this.target = target;
        for (ProgramSpec p : spec.programs()) {
            for (Reference r : p.references()) {
                if (r instanceof Reference.Extern e && kconfigVariable(e.symbol()).isPresent()) {
                    weakKconfig.merge(e.symbol(), e.weak(), Boolean::logicalAnd);
                }
            }
        }
    }

    /** The {@code .kconfig} map's variable for an extern of that name, if it is a kconfig extern. */
    Optional<VariableSpec> kconfigVariable(String name) {
        return spec.variables().stream().filter(v -> v.map().equals(KCONFIG_MAP) && v.name().equals(name))
                .findFirst();
    }

    /** The fds one program refers to through {@code fd_array}; index 0 stays unused (it means vmlinux). */
    static final class FdArray {
        private final List<Fd> fds = new ArrayList<>();

        int indexOf(Fd fd) {
            int i = fds.indexOf(fd);
            if (i < 0) {
                fds.add(fd);
                i = fds.size() - 1;
            }
            return i + 1;
        }

        boolean isEmpty() {
            return fds.isEmpty();
        }

        /** The fds in their order (index i + 1 in {@code fd_array}). */
        List<Fd> fds() {
            return List.copyOf(fds);
        }

        int[] raw() {
            int[] out = new int[fds.size() + 1];
            for (int i = 0; i < fds.size(); i++) {
                out[i + 1] = fds.get(i).raw();
            }
            return out;
        }
    }

    /** What a poisoned kfunc call at helper id {@code POISON_KFUNC_BASE + n} stands for, if it is one. */
    Optional<String> poisonedKfunc(int helperId) {
        int n = helperId - POISON_KFUNC_BASE;
        return n >= 0 && n < poisonedKfuncs.size()
                ? Optional.of("weak kfunc '" + poisonedKfuncs.get(n) + "' is not in " + target.name()
                + "'s BTF, so its call was replaced by an invalid one; guard the call with bpf_ksym_exists()")
                : Optional.empty();
    }

    // ---------------------------------------------------------------- __ksym and kfuncs

    void patch(ProgramSpec p, byte[] insns, Reference.Extern ref, FdArray fdArray) {
        Instruction insn = Instruction.decode(insns, ref.slot());
        if (ref.call()) {
            patchKfunc(p, insns, ref, insn, fdArray);
        } else if (insn.isLdImm64()) {
            patchKsym(p, insns, ref, insn, fdArray);
        } else {
            throw new BpfException("program '" + p.name() + "': instruction " + ref.slot() + " refers to extern '"
                    + ref.symbol() + "' but is neither a call nor a 64-bit load");
        }
    }

    /** A kernel BTF id and the BTF it is in (null for vmlinux, else a module's). */
    private record Found(int id, Btf btf, KernelTarget.Module module) {
    }

    private Optional<Found> find(String name, Class<? extends BtfType> kind) {
        Optional<Integer> id = target.vmlinux().findId(name, kind);
        if (id.isPresent()) {
            return Optional.of(new Found(id.get(), target.vmlinux(), null));
        }
        for (KernelTarget.Module m : target.modules()) {
            Optional<Integer> mid = m.btf().findId(name, kind);
            if (mid.isPresent()) {
                return Optional.of(new Found(mid.get(), m.btf(), m));
            }
        }
        return Optional.empty();
    }

    private void patchKfunc(ProgramSpec p, byte[] insns, Reference.Extern ref, Instruction insn, FdArray fdArray) {
        Optional<Found> found = find(ref.symbol(), Func.class);
        if (found.isEmpty()) {
            if (!ref.weak()) {
                throw missing(p, "kfunc", ref.symbol(), "declare it __weak and guard the call with bpf_ksym_exists()"
                        + " to load without it");
            }
            int index = poisonedKfuncs.indexOf(ref.symbol());
            if (index < 0) {
                poisonedKfuncs.add(ref.symbol());
                index = poisonedKfuncs.size() - 1;
            }
            new Instruction(Opcodes.CALL, 0, 0, 0, POISON_KFUNC_BASE + index).encodeInto(insns, ref.slot());
            return;
        }
        Found f = found.get();
        Btf local = spec.btf();
        if (local != null && ref.btfTypeId() != 0 && local.type(ref.btfTypeId()) instanceof Func lf) {
            int kernelProto = ((Func) f.btf().type(f.id())).type();
            if (!CoreRelocator.typesCompatible(local, lf.type(), f.btf(), kernelProto)) {
                throw new BpfException("program '" + p.name() + "': kfunc '" + ref.symbol() + "' is declared as "
                        + local.describe(ref.btfTypeId()) + ", which does not fit " + target.name() + "'s "
                        + f.btf().describe(f.id()));
            }
        }
        int off = f.module() == null ? 0 : fdArray.indexOf(target.moduleBtfFd(f.module().name()));
        insn.withSrc(Opcodes.BPF_PSEUDO_KFUNC_CALL).withImm(f.id()).withOffset(off).encodeInto(insns, ref.slot());
    }

    private void patchKsym(ProgramSpec p, byte[] insns, Reference.Extern ref, Instruction insn, FdArray fdArray) {
        if (ref.btfTypeId() == 0) {
            // untyped: extern const void sym __ksym; its address from kallsyms
            OptionalLong address = kallsyms().address(ref.symbol());
            if (address.isEmpty() && !ref.weak()) {
                throw missing(p, "ksym", ref.symbol(), "declare it __weak to load without it (its address is 0 then)");
            }
            if (address.isPresent() && address.getAsLong() == 0 && kallsyms().addressesHidden()) {
                throw new BpfException("program '" + p.name() + "': ksym '" + ref.symbol() + "': "
                        + KernelSymbols.KALLSYMS + " shows every address as 0 (kptr_restrict): run as root");
            }
            long a = address.orElse(0);
            setLdImm64(insns, ref.slot(), insn, 0, (int) a, (int) (a >>> 32));
            return;
        }
        Optional<Found> found = find(ref.symbol(), Var.class);
        if (found.isEmpty()) {
            if (!ref.weak()) {
                throw missing(p, "typed ksym", ref.symbol(), "declare it __weak to load without it (it is NULL then)");
            }
            setLdImm64(insns, ref.slot(), insn, 0, 0, 0);
            return;
        }
        Found f = found.get();
        int kernelType = ((Var) f.btf().type(f.id())).type();
        Btf local = spec.btf();
        if (local != null && !CoreRelocator.typesCompatible(local, local.resolve(ref.btfTypeId()), f.btf(),
                f.btf().resolve(kernelType))) {
            throw new BpfException("program '" + p.name() + "': ksym '" + ref.symbol() + "' is declared as "
                    + local.describe(ref.btfTypeId()) + ", but " + target.name() + " has it as "
                    + f.btf().describe(kernelType));
        }
        int moduleFd = f.module() == null ? 0 : target.moduleBtfFd(f.module().name()).raw();
        setLdImm64(insns, ref.slot(), insn, Opcodes.BPF_PSEUDO_BTF_ID, f.id(), moduleFd);
    }

    private static void setLdImm64(byte[] insns, int slot, Instruction first, int src, int lo, int hi) {
        first.withSrc(src).withImm(lo).encodeInto(insns, slot);
        Instruction.decode(insns, slot + 1).withImm(hi).encodeInto(insns, slot + 1);
    }

    private BpfException missing(ProgramSpec p, String what, String name, String fix) {
        String where = what.equals("ksym") ? KernelSymbols.KALLSYMS.toString() : target.where();
        return new BpfException("program '" + p.name() + "': extern " + what + " '" + name + "' is not in "
                + target.name() + " (looked in " + where + "); " + fix);
    }

    // ---------------------------------------------------------------- __kconfig

    /** The value of the {@code .kconfig} map: every extern of {@code map} set from the kernel's configuration. */
    byte[] kconfig(MapSpec map) {
        ByteBuffer value = ByteBuffer.allocate(map.valueSize()).order(ByteOrder.nativeOrder());
        Btf btf = spec.btf();
        for (VariableSpec v : spec.variables()) {
            if (!v.map().equals(map.name())) {
                continue;
            }
            try {
                write(value, v, btf);
            } catch (BpfException e) {
                throw new BpfException("kconfig extern '" + v.name() + "' (" + btf.describe(v.btfTypeId()) + "): "
                        + e.getMessage(), e);
            }
        }
        return value.array();
    }

    private void write(ByteBuffer out, VariableSpec v, Btf btf) {
        String name = v.name();
        BtfType t = btf.resolvedType(v.btfTypeId());
        if (name.equals("LINUX_KERNEL_VERSION")) {
            putNumber(out, v, t, Integer.toUnsignedLong(SystemInfo.kernelVersionCode()));
        } else if (name.equals("LINUX_HAS_SYSCALL_WRAPPER")) {
            putNumber(out, v, t, hasSyscallWrapper() ? 1 : 0);
        } else if (name.equals("LINUX_HAS_BPF_COOKIE")) {
            // libbpf's FEAT_BPF_COOKIE: may a kprobe program call bpf_get_attach_cookie() (usdt.bpf.h reads it)
            putNumber(out, v, t, Features.helper(ProgramType.KPROBE, "bpf_get_attach_cookie") ? 1 : 0);
        } else if (name.startsWith("LINUX_") && weakKconfig.getOrDefault(name, false)) {
            // as libbpf: a virtual extern it does not know stays 0 when it is __weak
            return;
        } else if (name.startsWith("CONFIG_")) {
            if (config == null) {
                config = KernelConfig.running();
            }
            Optional<String> raw = config.value(name);
            if (raw.isEmpty()) {
                if (!weakKconfig.getOrDefault(name, false)) {
                    throw new BpfException("not set in " + config.source() + "; declare it __weak to default to 0");
                }
                return;
            }
            putConfig(out, v, t, raw.get());
        } else {
            throw new BpfException("unknown; __kconfig externs are CONFIG_* options, LINUX_KERNEL_VERSION, "
                    + "LINUX_HAS_SYSCALL_WRAPPER and LINUX_HAS_BPF_COOKIE (declare another LINUX_* __weak to "
                    + "default to 0, as libbpf allows)");
        }
    }

    private void putConfig(ByteBuffer out, VariableSpec v, BtfType t, String raw) {
        char first = raw.isEmpty() ? ' ' : raw.charAt(0);
        if (raw.length() == 1 && (first == 'y' || first == 'n' || first == 'm')) {
            if (t instanceof Int i && i.isBool()) {
                if (first == 'm') {
                    throw new BpfException("the option is 'm' (a module), which a bool cannot hold: declare it "
                            + "enum libbpf_tristate");
                }
                out.put(v.offset(), (byte) (first == 'y' ? 1 : 0));
            } else if (t instanceof Enum e && e.name().equals("libbpf_tristate")) {
                putNumber(out, v, t, first == 'y' ? 1 : first == 'm' ? 2 : 0);
            } else if (t instanceof Int i && i.isChar() && i.size() == 1) {
                out.put(v.offset(), (byte) first);
            } else {
                throw new BpfException("the option is '" + first + "', which needs a bool, enum libbpf_tristate or "
                        + "char extern");
            }
        } else if (first == '"') {
            if (!(t instanceof Array a) || !(spec.btf().resolvedType(a.type()) instanceof Int ci) || ci.size() != 1) {
                throw new BpfException("the option is a string (" + raw + "), which needs a char array extern");
            }
            if (raw.length() < 2 || !raw.endsWith("\"")) {
                throw new BpfException("malformed string value " + raw + " in " + config.source());
            }
            byte[] s = raw.substring(1, raw.length() - 1).getBytes(StandardCharsets.UTF_8);
            int n = Math.min(s.length, a.nelems() - 1);
            for (int i = 0; i < n; i++) {
                out.put(v.offset() + i, s[i]);
            }
        } else {
            long number;
            try {
                number = raw.startsWith("0x") || raw.startsWith("0X") ? Long.parseUnsignedLong(raw.substring(2), 16)
                        : Long.parseLong(raw);
            } catch (NumberFormatException e) {
                throw new BpfException("value '" + raw + "' in " + config.source() + " is not a number");
            }
            putNumber(out, v, t, number);
        }
    }

    private void putNumber(ByteBuffer out, VariableSpec v, BtfType t, long number) {
        int size = t instanceof Int i ? i.size() : t instanceof Enum e ? e.size() : -1;
        if (size <= 0 || size > 8 || size != v.size()) {
            throw new BpfException("a number needs an integer extern");
        }
        boolean signed = t instanceof Int i && i.isSigned();
        if (size < 8) {
            long max = signed ? (1L << (size * 8 - 1)) - 1 : (1L << (size * 8)) - 1;
            long min = signed ? -(1L << (size * 8 - 1)) : 0;
            if (number > max || number < min) {
                throw new BpfException("value " + number + " does not fit its " + size + " bytes");
            }
        }
        switch (size) {
            case 1 -> out.put(v.offset(), (byte) number);
            case 2 -> out.putShort(v.offset(), (short) number);
            case 4 -> out.putInt(v.offset(), (int) number);
            case 8 -> out.putLong(v.offset(), number);
            default -> throw new BpfException("a " + size + "-byte integer is not supported");
        }
    }

    /** Whether syscalls enter through an architecture wrapper ({@code __x64_sys_bpf} exists), as libbpf probes. */
    private boolean hasSyscallWrapper() {
        return kallsyms().address(syscallWrapper()).isPresent();
    }

    /** The symbol that exists when syscalls enter through an architecture wrapper, as libbpf probes. */
    private static String syscallWrapper() {
        String prefix = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "__x64_";
            case "aarch64" -> "__arm64_";
            case "s390x" -> "__s390x_";
            case "riscv64" -> "__riscv_";
            case "ppc64le", "ppc64" -> "";
            default -> "__se_";
        };
        return prefix + "sys_bpf";
    }

    /**
     * The kernel's addresses of every symbol the object's externs name and of the syscall wrapper, read from
     * kallsyms at the first need (one read per load, only those names kept).
     */
    private KernelSymbols kallsyms() {
        if (kallsyms == null) {
            Set<String> names = new HashSet<>(Set.of(syscallWrapper()));
            for (ProgramSpec p : spec.programs()) {
                for (Reference r : p.references()) {
                    if (r instanceof Reference.Extern e) {
                        names.add(e.symbol());
                    }
                }
            }
            kallsyms = KernelSymbols.running(names);
        }
        return kallsyms;
    }
}

package dev.bpfunit;

import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.asm.Disassembler;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.BtfLoadAttr;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.MapCreateAttr;
import dev.bpfunit.sys.ProgAttachAttr;
import dev.bpfunit.sys.ProgLoadAttr;
import dev.bpfunit.sys.ProgTestRunAttr;
import dev.bpfunit.sys.SystemInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers what the running kernel supports (program types, map types, helpers, attach types) by probing
 * it the way {@code bpftool feature probe} does: loading a minimal program or creating a minimal map and
 * looking at how the kernel answers. Each answer is computed once per JVM.
 */
public final class Features {

    /** The program types probed with {@code attach_btf_id = 1}: the kernel checks the target, so the type exists. */
    private static final java.util.Set<ProgramType> BTF_TARGETED = java.util.EnumSet.of(ProgramType.TRACING,
            ProgramType.LSM, ProgramType.EXT, ProgramType.STRUCT_OPS);
    /** {@code ENOTSUPP}, the kernel-internal errno some checks return (524). */
    private static final int ENOTSUPP = 524;

    private static final Map<Object, Boolean> CACHE = new ConcurrentHashMap<>();
    private static volatile Optional<String> unavailable;
    private static volatile Optional<String> liveFrames;

    private Features() {
    }

    /**
     * Why this process cannot use BPF, or empty when it can: it needs CAP_BPF (or CAP_SYS_ADMIN) and a
     * kernel that creates a one-entry array map.
     */
    public static Optional<String> unavailableReason() {
        Optional<String> r = unavailable;
        if (r == null) {
            r = probeAvailability();
            unavailable = r;
        }
        return r;
    }

    private static Optional<String> probeAvailability() {
        try {
            if (!SystemInfo.hasCapBpf()) {
                return Optional.of("this process has neither CAP_BPF nor CAP_SYS_ADMIN (kernel "
                        + SystemInfo.kernelRelease() + ")");
            }
        } catch (BpfException e) {
            return Optional.of("cannot read this process's capabilities: " + e.getMessage());
        }
        try (Fd fd = Bpf.mapCreate(new MapCreateAttr().mapType(MapType.ARRAY.number()).keySize(4).valueSize(4)
                .maxEntries(1))) {
            return Optional.empty();
        } catch (BpfException | UnsatisfiedLinkError e) {
            return Optional.of("bpf(2) does not work here: " + e.getMessage());
        }
    }

    /**
     * Why this kernel refuses XDP live-frame test runs ({@code BPF_F_TEST_XDP_LIVE_FRAMES}, which
     * {@link TestRunBuilder#liveFrames(int)} asks for), or empty when it runs them. Found by running a program that
     * drops every frame once in live-frame mode: kernels before 5.18 answer EINVAL, and some kernels refuse the mode
     * with EPERM even to a process that has CAP_BPF and CAP_NET_ADMIN. Computed once per JVM.
     */
    public static Optional<String> xdpLiveFramesUnavailableReason() {
        Optional<String> r = liveFrames;
        if (r == null) {
            r = probeXdpLiveFrames();
            liveFrames = r;
        }
        return r;
    }

    private static Optional<String> probeXdpLiveFrames() {
        Optional<String> bpf = unavailableReason();
        if (bpf.isPresent()) {
            return bpf;
        }
        byte[] drop = program(new Instruction(0xb7, 0, 0, 0, 1), new Instruction(0x95, 0, 0, 0, 0)); // XDP_DROP
        try (Fd prog = Bpf.progLoad(probeProgram(ProgramType.XDP, drop))) {
            ProgTestRunAttr attr = new ProgTestRunAttr().dataIn(new byte[64]).dataSizeOut(0).repeat(1).batchSize(1)
                    .flags(BpfConstants.BPF_F_TEST_XDP_LIVE_FRAMES);
            Bpf.progTestRun(prog, attr);
            return Optional.empty();
        } catch (BpfSyscallException e) {
            String why = e.errno() == Errno.EINVAL
                    ? "this kernel does not know it (it needs Linux 5.18)"
                    : "this kernel refuses it with " + e.errno() + " although plain XDP test runs work";
            return Optional.of("XDP live-frame test runs (BPF_F_TEST_XDP_LIVE_FRAMES): " + why + " (kernel "
                    + SystemInfo.kernelRelease() + ")");
        }
    }

    /** Whether the kernel loads programs of this type (a two-instruction program that returns 0). */
    public static boolean programType(ProgramType type) {
        if (type == ProgramType.UNSPEC) {
            throw new IllegalArgumentException("UNSPEC is not a program type the kernel loads");
        }
        return CACHE.computeIfAbsent(type, t -> probeProgramType(type));
    }

    /** Whether the kernel creates maps of this type. */
    public static boolean mapType(MapType type) {
        if (type == MapType.UNSPEC) {
            throw new IllegalArgumentException("UNSPEC is not a map type the kernel creates");
        }
        return CACHE.computeIfAbsent(type, t -> probeMapType(type));
    }

    /** Whether programs of {@code type} may call the helper {@code BPF_FUNC_<id>}. */
    public static boolean helper(ProgramType type, int helperId) {
        if (helperId <= 0 || helperId > Disassembler.maxHelperId()) {
            throw new IllegalArgumentException("helper id " + helperId + " is not a BPF helper (1 to "
                    + Disassembler.maxHelperId() + ")");
        }
        return CACHE.computeIfAbsent(new HelperKey(type, helperId), k -> probeHelper(type, helperId));
    }

    /** Whether programs of {@code type} may call the helper with this name ({@code bpf_loop} or {@code loop}). */
    public static boolean helper(ProgramType type, String helperName) {
        return helper(type, helperId(helperName).orElseThrow(() -> new IllegalArgumentException("no BPF helper named '"
                + helperName + "': helper names are those of bpf_helper_defs.h, e.g. bpf_map_lookup_elem "
                + "(kfuncs cannot be probed this way)")));
    }

    /** The id of a helper by its name, with or without the {@code bpf_} prefix. */
    public static OptionalInt helperId(String name) {
        String full = name.startsWith("bpf_") ? name : "bpf_" + name;
        for (int id = 1; id <= Disassembler.maxHelperId(); id++) {
            if (Disassembler.helperName(id).equals(full)) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Whether the kernel knows this attach type for {@code BPF_PROG_ATTACH} (cgroup, sockmap, flow dissector,
     * lirc, sk_lookup, tcx and netkit hooks): the kernel says {@code EBADF} about the missing program for a
     * type it knows and {@code EINVAL} for one it does not.
     *
     * @throws IllegalArgumentException for attach types that are not attached with {@code BPF_PROG_ATTACH}
     *                                  (XDP, tracing, LSM, perf events, ...): probe their program type instead
     */
    public static boolean attachType(AttachType type) {
        if (!progAttachable(type)) {
            throw new IllegalArgumentException("attach type " + type + " is not attached with BPF_PROG_ATTACH and "
                    + "cannot be probed alone: probe its program type instead");
        }
        return CACHE.computeIfAbsent(type, t -> probeAttachType(type));
    }

    /** Whether an attach type is one that {@code BPF_PROG_ATTACH} takes, so that {@link #attachType} can probe it. */
    public static boolean progAttachable(AttachType type) {
        return switch (type) {
            case NONE, TRACE_RAW_TP, TRACE_FENTRY, TRACE_FEXIT, MODIFY_RETURN, LSM_MAC, TRACE_ITER, XDP_DEVMAP,
                 XDP_CPUMAP, XDP, PERF_EVENT, TRACE_KPROBE_MULTI, STRUCT_OPS, NETFILTER, TRACE_UPROBE_MULTI,
                 TRACE_KPROBE_SESSION, TRACE_UPROBE_SESSION -> false;
            default -> true;
        };
    }

    // ---- probes ----

    private static final byte[] RETURN_0 = program(new Instruction(0xb7, 0, 0, 0, 0), new Instruction(0x95, 0, 0, 0, 0));

    private static byte[] program(Instruction... insns) {
        byte[] b = new byte[insns.length * 8];
        for (int i = 0; i < insns.length; i++) {
            insns[i].encodeInto(b, i);
        }
        return b;
    }

    private static ProgLoadAttr probeProgram(ProgramType type, byte[] insns) {
        ProgLoadAttr attr = new ProgLoadAttr().progType(type.number()).instructions(insns).license("GPL");
        switch (type) {
            case CGROUP_SOCK_ADDR -> attr.expectedAttachType(AttachType.CGROUP_INET4_CONNECT.number());
            case CGROUP_SOCKOPT -> attr.expectedAttachType(AttachType.CGROUP_GETSOCKOPT.number());
            case SK_LOOKUP -> attr.expectedAttachType(AttachType.SK_LOOKUP.number());
            case LIRC_MODE2 -> attr.expectedAttachType(AttachType.LIRC_MODE2.number());
            case NETFILTER -> attr.expectedAttachType(AttachType.NETFILTER.number());
            case KPROBE -> attr.kernVersion(SystemInfo.kernelVersionCode());
            case SYSCALL -> attr.progFlags(1 << 4); // BPF_F_SLEEPABLE
            case TRACING -> attr.expectedAttachType(AttachType.TRACE_RAW_TP.number()).attachBtfId(1);
            case LSM -> attr.expectedAttachType(AttachType.LSM_MAC.number()).attachBtfId(1);
            case EXT, STRUCT_OPS -> attr.attachBtfId(1);
            default -> {
            }
        }
        return attr;
    }

    private static boolean probeProgramType(ProgramType type) {
        ProgLoadAttr attr = probeProgram(type, RETURN_0);
        if (BTF_TARGETED.contains(type)) {
            attr.logLevel(1).logSize(4096);
        }
        try (Fd fd = Bpf.progLoad(attr)) {
            return true;
        } catch (BpfSyscallException e) {
            if (BTF_TARGETED.contains(type)) {
                // The type is known when the kernel got as far as judging the (deliberately bad) target.
                return (e.errno() == Errno.EINVAL || e.errnoNumber() == ENOTSUPP) && !attr.log().isBlank();
            }
            return e.errno() != Errno.EINVAL && e.errno() != Errno.EOPNOTSUPP && e.errnoNumber() != ENOTSUPP;
        }
    }

    private static boolean probeHelper(ProgramType type, int id) {
        byte[] insns = program(new Instruction(0x85, 0, 0, 0, id), new Instruction(0x95, 0, 0, 0, 0));
        ProgLoadAttr attr = probeProgram(type, insns).logLevel(1).logSize(4096);
        try (Fd fd = Bpf.progLoad(attr)) {
            return true;
        } catch (BpfSyscallException e) {
            String log = attr.log();
            if (log.isBlank() && e.errno() == Errno.EINVAL) {
                return false; // the program type itself is unknown
            }
            return !log.contains("invalid func ") && !log.contains("unknown func ")
                    && !log.contains("program of this type cannot use helper");
        }
    }

    private static boolean probeMapType(MapType type) {
        MapCreateAttr attr = new MapCreateAttr().mapType(type.number()).keySize(4).valueSize(4).maxEntries(1);
        Fd btf = null;
        Fd inner = null;
        try {
            switch (type) {
                case STACK_TRACE -> attr.valueSize(8);
                case LPM_TRIE -> attr.keySize(8).valueSize(8).mapFlags(BpfConstants.BPF_F_NO_PREALLOC);
                case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> attr.keySize(16).valueSize(8).maxEntries(0);
                case QUEUE, STACK -> attr.keySize(0);
                case BLOOM_FILTER -> attr.keySize(0);
                case RINGBUF, USER_RINGBUF -> attr.keySize(0).valueSize(0).maxEntries(4096);
                case ARENA -> attr.keySize(0).valueSize(0).maxEntries(1).mapFlags(BpfConstants.BPF_F_MMAPABLE);
                case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> {
                    btf = Bpf.btfLoad(new BtfLoadAttr().btf(storageBtf()), "probe BTF");
                    attr.valueSize(4).maxEntries(0).mapFlags(BpfConstants.BPF_F_NO_PREALLOC).btfFd(btf)
                            .btfKeyTypeId(1).btfValueTypeId(2);
                }
                case ARRAY_OF_MAPS, HASH_OF_MAPS -> {
                    inner = Bpf.mapCreate(new MapCreateAttr().mapType(MapType.HASH.number()).keySize(4)
                            .valueSize(4).maxEntries(1));
                    attr.innerMapFd(inner);
                }
                case STRUCT_OPS -> {
                    // Needs a kernel struct_ops type: a kernel that knows the map type checks the (bad) BTF id.
                    attr.keySize(4).valueSize(4).btfVmlinuxValueTypeId(1);
                }
                default -> {
                }
            }
            try (Fd fd = Bpf.mapCreate(attr)) {
                return true;
            } catch (BpfSyscallException e) {
                if (type == MapType.STRUCT_OPS) {
                    return e.errnoNumber() == ENOTSUPP; // "no struct_ops type with that id": the map type exists
                }
                return false;
            }
        } catch (BpfSyscallException e) {
            return false;
        } finally {
            if (btf != null) {
                btf.close();
            }
            if (inner != null) {
                inner.close();
            }
        }
    }

    private static boolean probeAttachType(AttachType type) {
        try {
            Bpf.progAttach(new ProgAttachAttr().targetFd(-1).attachBpfFd(-1).attachType(type.number()));
            return true;
        } catch (BpfSyscallException e) {
            return e.errno() != Errno.EINVAL;
        }
    }

    /** Raw BTF: [1] int, [2] struct val { int cnt; }, the value type local-storage maps require. */
    private static byte[] storageBtf() {
        byte[] strings = "\0int\0val\0cnt\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer types = ByteBuffer.allocate(16 + 24).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(1).putInt(1 << 24).putInt(4).putInt((1 << 24) | 32); // INT "int", signed, 32 bits
        types.putInt(5).putInt((4 << 24) | 1).putInt(4);                  // STRUCT "val", 1 member, 4 bytes
        types.putInt(9).putInt(1).putInt(0);                              // member "cnt": int at bit 0
        ByteBuffer b = ByteBuffer.allocate(24 + types.capacity() + strings.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(types.capacity()).putInt(types.capacity()).putInt(strings.length);
        b.put(types.array()).put(strings);
        return b.array();
    }

    private record HelperKey(ProgramType type, int id) {
    }
}

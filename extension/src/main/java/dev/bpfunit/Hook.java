package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.asm.Instruction;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.Func;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.LinkCreateAttr;
import dev.bpfunit.sys.Perf;
import dev.bpfunit.sys.PerfEventAttr;
import dev.bpfunit.sys.ProgLoadAttr;
import dev.bpfunit.sys.SystemInfo;
import dev.bpfunit.sys.Tracefs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A kind of live-kernel hook a tracing program attaches to, with a probe that answers whether this kernel can
 * attach there: a minimal program is loaded and really attached (then detached), as {@code bpftool feature probe}
 * does for program types.
 */
public enum Hook {
    /** Tracepoints ({@code tp/}): perf events on tracefs tracepoint ids. */
    TRACEPOINT,
    /** Raw tracepoints ({@code raw_tp/}). */
    RAW_TRACEPOINT,
    /** kprobes and kretprobes: the kprobe PMU (CONFIG_KPROBES). */
    KPROBE,
    /** uprobes and uretprobes: the uprobe PMU (CONFIG_UPROBE_EVENTS). */
    UPROBE,
    /** fentry/fexit/fmod_ret: BPF trampolines on kernel functions. */
    FENTRY,
    /** perf_event programs on a software event. */
    PERF_EVENT;

    /** The kernel function the kprobe and fentry probes attach to: built with BPF's test runner (CONFIG_NET). */
    static final String PROBE_FUNCTION = "bpf_fentry_test1";

    private static final Map<Hook, Optional<String>> CACHE = new ConcurrentHashMap<>();

    /** Why this kernel cannot attach here, or empty when the probe attached (probed once per JVM). */
    public Optional<String> unavailableReason() {
        return CACHE.computeIfAbsent(this, h -> {
            Optional<String> bpf = Features.unavailableReason();
            if (bpf.isPresent()) {
                return bpf;
            }
            try {
                return h.probe();
            } catch (RuntimeException e) {
                return Optional.of(e.getMessage());
            }
        });
    }

    /** True when the probe attached. */
    public boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    private Optional<String> probe() {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            switch (this) {
                case TRACEPOINT -> {
                    Fd prog = load(ProgramType.TRACEPOINT, open);
                    Fd event = keep(open, Perf.open(PerfEventAttr.tracepoint(Tracefs.tracepointId("syscalls",
                            "sys_enter_getpid")), -1, 0, "tracepoint syscalls:sys_enter_getpid"));
                    attachPerf(prog, event, open);
                }
                case RAW_TRACEPOINT -> keep(open, Bpf.rawTracepointOpen("sys_enter",
                        load(ProgramType.RAW_TRACEPOINT, open)));
                case KPROBE -> {
                    if (Perf.pmuType("kprobe").isEmpty()) {
                        return Optional.of("kernel " + SystemInfo.kernelRelease() + " has no kprobe PMU "
                                + "(/sys/bus/event_source/devices/kprobe): built without CONFIG_KPROBES");
                    }
                    Fd prog = load(ProgramType.KPROBE, open);
                    Fd event = keep(open, Perf.open(PerfEventAttr.probe(Perf.pmuType("kprobe").getAsInt(), 0,
                            PROBE_FUNCTION, 0), -1, 0, "kprobe " + PROBE_FUNCTION));
                    attachPerf(prog, event, open);
                }
                case UPROBE -> {
                    if (Perf.pmuType("uprobe").isEmpty()) {
                        return Optional.of("kernel " + SystemInfo.kernelRelease() + " has no uprobe PMU "
                                + "(/sys/bus/event_source/devices/uprobe): built without CONFIG_UPROBE_EVENTS");
                    }
                    Path libc = NativeSymbols.resolveBinary("libc.so.6", -1);
                    long offset = NativeSymbols.offset(libc, "getpid");
                    Fd prog = load(ProgramType.KPROBE, open);
                    Fd event = keep(open, Perf.open(PerfEventAttr.probe(Perf.pmuType("uprobe").getAsInt(), 0,
                            libc.toString(), offset), -1, 0, "uprobe " + libc + ":getpid"));
                    attachPerf(prog, event, open);
                }
                case FENTRY -> {
                    Optional<Integer> id = Btf.vmlinux().findId(PROBE_FUNCTION, Func.class);
                    if (id.isEmpty()) {
                        return Optional.of("kernel " + SystemInfo.kernelRelease() + " has no " + PROBE_FUNCTION
                                + " in its BTF to probe fentry with");
                    }
                    ProgLoadAttr attr = minimal(ProgramType.TRACING).expectedAttachType(AttachType.TRACE_FENTRY.number())
                            .attachBtfId(id.get());
                    Fd prog = keep(open, Bpf.progLoad(attr));
                    keep(open, Bpf.linkCreate(new LinkCreateAttr().progFd(prog)
                            .attachType(AttachType.TRACE_FENTRY.number())));
                }
                case PERF_EVENT -> {
                    Fd prog = load(ProgramType.PERF_EVENT, open);
                    Fd event = keep(open, Perf.open(PerfEventAttr.sampling(PerfEventAttr.PERF_TYPE_SOFTWARE,
                            PerfEventAttr.PERF_COUNT_SW_CPU_CLOCK, 1_000_000, false), -1,
                            SystemInfo.onlineCpus()[0], "cpu-clock"));
                    attachPerf(prog, event, open);
                }
                default -> throw new IllegalStateException(name());
            }
            return Optional.empty();
        } catch (BpfException e) {
            String why = this == FENTRY && e.getMessage().contains("EPERM")
                    ? ": this kernel refuses BPF trampolines even as root" : "";
            return Optional.of("kernel " + SystemInfo.kernelRelease() + " cannot attach " + describe() + " (probed: "
                    + e.getMessage() + ")" + why);
        } finally {
            java.util.Collections.reverse(open);
            Closeables.closeAll(open);
        }
    }

    private String describe() {
        return switch (this) {
            case TRACEPOINT -> "tracepoints";
            case RAW_TRACEPOINT -> "raw tracepoints";
            case KPROBE -> "kprobes";
            case UPROBE -> "uprobes";
            case FENTRY -> "fentry programs (on " + PROBE_FUNCTION + ")";
            case PERF_EVENT -> "perf_event programs";
        };
    }

    private static <T extends AutoCloseable> T keep(List<AutoCloseable> open, T resource) {
        open.add(resource);
        return resource;
    }

    private static ProgLoadAttr minimal(ProgramType type) {
        byte[] insns = new byte[16];
        new Instruction(0xb7, 0, 0, 0, 0).encodeInto(insns, 0);   // r0 = 0
        new Instruction(0x95, 0, 0, 0, 0).encodeInto(insns, 1);   // exit
        ProgLoadAttr attr = new ProgLoadAttr().progType(type.number()).instructions(insns).license("GPL");
        if (type == ProgramType.KPROBE) {
            attr.kernVersion(SystemInfo.kernelVersionCode());
        }
        return attr;
    }

    private static Fd load(ProgramType type, List<AutoCloseable> open) {
        return keep(open, Bpf.progLoad(minimal(type)));
    }

    private static void attachPerf(Fd prog, Fd event, List<AutoCloseable> open) {
        try {
            keep(open, Bpf.linkCreate(new LinkCreateAttr().progFd(prog).targetFd(event.raw())
                    .attachType(AttachType.PERF_EVENT.number())));
        } catch (dev.bpfunit.sys.BpfSyscallException e) {
            if (e.errno() != dev.bpfunit.sys.Errno.EINVAL) {
                throw e;
            }
            Perf.setBpf(event, prog);
        }
    }
}

package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.spec.SectionDefs;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.LinkCreateAttr;
import dev.bpfunit.sys.Perf;
import dev.bpfunit.sys.PerfEventAttr;
import dev.bpfunit.sys.SystemInfo;
import dev.bpfunit.sys.Tracefs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Attaches tracing programs in the live kernel: reads the target from the section name as libbpf does
 * ({@code tp/<category>/<name>}, {@code raw_tp/<name>}, {@code kprobe/<func>[+<offset>]},
 * {@code uprobe/<binary>:<func>[+<offset>]}, {@code fentry/<func>}...) and makes the {@link Link}.
 */
final class Attacher {

    /** {@code func}, {@code func+0x10} or {@code func+16}. */
    private static final Pattern FUNC_OFFSET = Pattern.compile("([A-Za-z0-9_.@$]+)(?:\\+(0[xX][0-9a-fA-F]+|\\d+))?");
    private static final Pattern NUMBER = Pattern.compile("0[xX][0-9a-fA-F]+|\\d+");

    private Attacher() {
    }

    /** Attaches by the section name; fails saying which explicit method it needs when the section names no target. */
    static Link attach(BpfProgram p) {
        return auto(p).orElseThrow(() -> new BpfException(p + ": " + needsExplicit(p)));
    }

    /**
     * Attaches where {@code section} (written as a section name, {@code tp/syscalls/sys_enter_getpid}) says, instead
     * of the program's own section.
     */
    static Link attach(BpfProgram p, String section) {
        return auto(p, section).orElseThrow(() -> new BpfException(p + ": target '" + section + "' names nothing "
                + "to attach to: " + needsExplicit(p)));
    }

    /** The link of a program whose section names its target, or empty when it names none. */
    static Optional<Link> auto(BpfProgram p) {
        return auto(p, p.spec().section());
    }

    private static Optional<Link> auto(BpfProgram p, String section) {
        ProgramSpec spec = p.spec();
        Optional<SectionDefs.Match> match = SectionDefs.match(section);
        String kind = match.map(m -> m.def().pattern().replaceAll("[+/]$", "")).orElse("");
        String extras = match.map(SectionDefs.Match::extras).orElse("");
        switch (spec.type()) {
            case TRACEPOINT -> {
                int slash = extras.indexOf('/');
                if (slash <= 0 || slash == extras.length() - 1) {
                    return Optional.empty();
                }
                return Optional.of(tracepoint(p, extras.substring(0, slash), extras.substring(slash + 1)));
            }
            case RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE -> {
                return extras.isEmpty() ? Optional.empty() : Optional.of(rawTracepoint(p, extras));
            }
            case TRACING, LSM -> {
                if (spec.attachType() == AttachType.TRACE_ITER) {
                    return Optional.empty();
                }
                return Optional.of(btf(p));
            }
            case KPROBE -> {
                return kprobeFamily(p, kind, extras);
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private static Optional<Link> kprobeFamily(BpfProgram p, String kind, String extras) {
        switch (kind) {
            case "kprobe", "kretprobe" -> {
                if (extras.isEmpty()) {
                    return Optional.empty();
                }
                Matcher m = FUNC_OFFSET.matcher(extras);
                if (!m.matches()) {
                    throw new BpfException(p + ": section '" + p.spec().section() + "': '" + extras + "' is not "
                            + "<function>[+<offset>]");
                }
                return Optional.of(kprobe(p, m.group(1), m.group(2) == null ? 0 : Long.decode(m.group(2)),
                        kind.equals("kretprobe")));
            }
            case "ksyscall", "kretsyscall" -> {
                if (extras.isEmpty()) {
                    return Optional.empty();
                }
                String prefix = "aarch64".equals(System.getProperty("os.arch")) ? "__arm64_sys_" : "__x64_sys_";
                return Optional.of(kprobe(p, prefix + extras, 0, kind.equals("kretsyscall")));
            }
            case "uprobe", "uretprobe", "uprobe.s", "uretprobe.s" -> {
                if (extras.isEmpty()) {
                    return Optional.empty();
                }
                int colon = extras.lastIndexOf(':');
                if (colon <= 0 || colon == extras.length() - 1) {
                    throw new BpfException(p + ": section '" + p.spec().section() + "': '" + extras + "' is not "
                            + "<binary>:<function>[+<offset>] (or <binary>:<offset>)");
                }
                String binary = extras.substring(0, colon);
                String func = extras.substring(colon + 1);
                boolean ret = kind.startsWith("uret");
                if (NUMBER.matcher(func).matches()) {
                    return Optional.of(uprobeAt(p, NativeSymbols.resolveBinary(binary, -1), Long.decode(func), -1,
                            ret, binary + ":" + func));
                }
                Matcher m = FUNC_OFFSET.matcher(func);
                if (!m.matches()) {
                    throw new BpfException(p + ": section '" + p.spec().section() + "': '" + func + "' is not "
                            + "<function>[+<offset>]");
                }
                return Optional.of(uprobe(p, binary, m.group(1), m.group(2) == null ? 0 : Long.decode(m.group(2)),
                        -1, ret));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** Why {@code attach()} cannot attach the program by its section, and what to call instead. */
    static String needsExplicit(BpfProgram p) {
        ProgramType t = p.spec().type();
        String section = "section '" + p.spec().section() + "'";
        return switch (t) {
            case TRACEPOINT -> section + " names no tracepoint: write SEC(\"tp/<category>/<name>\") or call "
                    + "attachTracepoint(category, name)";
            case RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE -> section + " names no raw tracepoint: write "
                    + "SEC(\"raw_tp/<name>\") or call attachRawTracepoint(name)";
            case KPROBE -> {
                String s = p.spec().section();
                if (s.startsWith("uprobe") || s.startsWith("uretprobe")) {
                    yield section + " names no binary and function: write SEC(\"uprobe/<binary>:<function>\") or "
                            + "call attachUprobe(binary, function, pid)";
                }
                if (s.startsWith("usdt")) {
                    yield "USDT probes are not supported by bpfunit: attach a uprobe at the note's address instead";
                }
                if (s.startsWith("kprobe.multi") || s.startsWith("kretprobe.multi") || s.startsWith("kprobe.session")
                        || s.startsWith("uprobe.multi") || s.startsWith("uretprobe.multi")) {
                    yield "multi-probe links (kprobe.multi, uprobe.multi) are not supported by bpfunit yet: use one "
                            + "kprobe or uprobe per function";
                }
                yield section + " names no kernel function: write SEC(\"kprobe/<function>\") or call "
                        + "attachKprobe(function)";
            }
            case PERF_EVENT -> "perf_event programs attach to a perf event: call attachPerfEvent(type, config, period) "
                    + "or attachCpuClock(periodNs)";
            case TRACING -> p.spec().attachType() == AttachType.TRACE_ITER
                    ? "iterators are read, not attached: bpfunit does not create iterators yet"
                    : section + ": the target is fixed at load time";
            case XDP -> "XDP programs attach to a network device: use the explicit XDP attach method with a device";
            case SCHED_CLS, SCHED_ACT -> "tc programs attach to a network device (TCX or clsact): use the explicit tc "
                    + "attach method with a device";
            case CGROUP_SKB, CGROUP_SOCK, CGROUP_SOCK_ADDR, CGROUP_SOCKOPT, CGROUP_SYSCTL, CGROUP_DEVICE, SOCK_OPS ->
                    "cgroup programs attach to a cgroup: use the explicit cgroup attach method with a cgroup directory";
            case SK_LOOKUP, FLOW_DISSECTOR -> t + " programs attach to a network namespace: use the explicit netns "
                    + "attach method";
            case SOCKET_FILTER -> "socket filters attach to a socket (SO_ATTACH_BPF): use the explicit socket attach "
                    + "method";
            case SK_MSG, SK_SKB -> t + " programs attach to a sockmap or sockhash: use the explicit sockmap attach "
                    + "method";
            default -> t + " programs cannot be attached by bpfunit";
        };
    }

    // ---------------------------------------------------------------- one per kind

    static Link tracepoint(BpfProgram p, String category, String name) {
        requireType(p, "a tracepoint", ProgramType.TRACEPOINT);
        String target = "tracepoint " + category + ":" + name;
        long id;
        try {
            id = Tracefs.tracepointId(category, name);
        } catch (BpfException e) {
            throw new BpfException(p + ": cannot attach to " + target + ": " + e.getMessage(), e);
        }
        Fd event = open(p, PerfEventAttr.tracepoint(id), -1, 0, target);
        return perfLink(p, event, target);
    }

    static Link rawTracepoint(BpfProgram p, String name) {
        requireType(p, "a raw tracepoint", ProgramType.RAW_TRACEPOINT, ProgramType.RAW_TRACEPOINT_WRITABLE);
        String target = "raw tracepoint " + name;
        try {
            return Link.ofFd(p, target, Bpf.rawTracepointOpen(name, p.fd()), p.owner());
        } catch (BpfSyscallException e) {
            throw new BpfException(p + ": cannot attach to " + target + ": " + e.getMessage()
                    + (e.errno() == Errno.ENOENT ? "; no such raw tracepoint in this kernel" : ""), e);
        }
    }

    /** tp_btf, fentry, fexit, fmod_ret, lsm: the target was fixed at load time by its BTF id. */
    static Link btf(BpfProgram p) {
        requireType(p, "a BTF-typed hook", ProgramType.TRACING, ProgramType.LSM);
        ProgramSpec spec = p.spec();
        String target = spec.section();
        try {
            Fd fd;
            try {
                fd = Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd()).attachType(spec.attachType().number()));
            } catch (BpfSyscallException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                fd = Bpf.rawTracepointOpen(null, p.fd());    // kernels before BPF_LINK_CREATE for tracing (5.x)
            }
            return Link.ofFd(p, target, fd, p.owner());
        } catch (BpfSyscallException e) {
            String hint = e.errno() == Errno.EPERM || e.errno() == Errno.ENOTSUPP || e.errno() == Errno.EOPNOTSUPP
                    ? "; this kernel refuses BPF trampolines (fentry/fexit/fmod_ret/lsm need "
                            + "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS and, for lsm, 'bpf' in the LSM list), even as root"
                    : "";
            throw new BpfException(p + ": cannot attach to " + target + ": " + e.getMessage() + hint, e);
        }
    }

    static Link kprobe(BpfProgram p, String function, long offset, boolean ret) {
        requireType(p, "a kprobe", ProgramType.KPROBE);
        String target = (ret ? "kretprobe " : "kprobe ") + function + (offset != 0 ? "+" + offset : "");
        int pmu = pmu(p, "kprobe", target, "this kernel has no kprobe PMU (/sys/bus/event_source/devices/kprobe): "
                + "it was built without CONFIG_KPROBES, so no kprobe can be attached");
        long config = ret ? Perf.retprobeBit("kprobe") : 0;
        Fd event = open(p, PerfEventAttr.probe(pmu, config, function, offset), -1, 0, target);
        return perfLink(p, event, target);
    }

    static Link uprobe(BpfProgram p, String binary, String function, long offset, int pid, boolean ret) {
        Path file = NativeSymbols.resolveBinary(binary, pid);
        long at;
        try {
            at = NativeSymbols.offset(file, function) + offset;
        } catch (BpfException e) {
            throw new BpfException(p + ": cannot attach a uprobe: " + e.getMessage(), e);
        }
        return uprobeAt(p, file, at, pid, ret, file + ":" + function + (offset != 0 ? "+" + offset : ""));
    }

    static Link uprobeAt(BpfProgram p, Path file, long fileOffset, int pid, boolean ret, String what) {
        requireType(p, "a uprobe", ProgramType.KPROBE);
        String target = (ret ? "uretprobe " : "uprobe ") + what + " (offset 0x" + Long.toHexString(fileOffset) + ")"
                + (pid >= 0 ? " in pid " + pid : "");
        int pmu = pmu(p, "uprobe", target, "this kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe): "
                + "it was built without CONFIG_UPROBE_EVENTS");
        long config = ret ? Perf.retprobeBit("uprobe") : 0;
        String path = file.toAbsolutePath().toString();
        Fd event = open(p, PerfEventAttr.probe(pmu, config, path, fileOffset), pid >= 0 ? pid : -1,
                pid >= 0 ? -1 : 0, target);
        return perfLink(p, event, target);
    }

    /** One sampling event per online CPU, each with the program; one link detaching them all. */
    static Link perfEvent(BpfProgram p, int type, long config, long period, boolean frequency) {
        requireType(p, "a perf event", ProgramType.PERF_EVENT);
        String target = "perf event type " + type + " config " + config + (frequency ? " at " + period + " Hz"
                : " every " + period) + " on every CPU";
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            for (int cpu : SystemInfo.onlineCpus()) {
                Fd event = open(p, PerfEventAttr.sampling(type, config, period, frequency), -1, cpu,
                        "perf event type " + type + " config " + config + " on CPU " + cpu);
                opened.add(event);
                opened.add(0, attachToEvent(p, event, target));
            }
        } catch (RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
        return Link.of(p, target, null, () -> Closeables.closeAll(opened), p.owner());
    }

    // ---------------------------------------------------------------- plumbing

    private static int pmu(BpfProgram p, String name, String target, String absent) {
        OptionalInt type = Perf.pmuType(name);
        if (type.isEmpty()) {
            throw new BpfException(p + ": cannot attach " + target + ": " + absent);
        }
        return type.getAsInt();
    }

    private static Fd open(BpfProgram p, PerfEventAttr attr, int pid, int cpu, String target) {
        try {
            return Perf.open(attr, pid, cpu, target);
        } catch (BpfSyscallException e) {
            throw new BpfException(p + ": cannot attach to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Attaches to a perf event with a BPF link (5.15), or the older ioctl; the link closes the event after. */
    private static Link perfLink(BpfProgram p, Fd event, String target) {
        AutoCloseable detach;
        try {
            detach = attachToEvent(p, event, target);
        } catch (RuntimeException e) {
            event.close();
            throw e;
        }
        if (detach instanceof Fd linkFd) {
            return Link.of(p, target, linkFd, event::close, p.owner());
        }
        return Link.of(p, target, event, () -> Closeables.closeAll(List.of(detach)), p.owner());
    }

    /** Returns what undoes it: the BPF link's fd, or a disable of the event. */
    private static AutoCloseable attachToEvent(BpfProgram p, Fd event, String target) {
        try {
            Fd link;
            try {
                link = Bpf.linkCreate(new LinkCreateAttr().progFd(p.fd()).targetFd(event.raw())
                        .attachType(AttachType.PERF_EVENT.number()));
            } catch (BpfSyscallException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                Perf.setBpf(event, p.fd());      // before Linux 5.15: no BPF link for perf events
                Perf.enable(event);
                return () -> Perf.disable(event);
            }
            try {
                Perf.enable(event);
            } catch (RuntimeException e) {
                link.close();
                throw e;
            }
            return link;
        } catch (BpfSyscallException e) {
            throw new BpfException(p + ": cannot attach to " + target + ": " + e.getMessage(), e);
        } finally {
            java.lang.ref.Reference.reachabilityFence(event);
        }
    }

    private static void requireType(BpfProgram p, String what, ProgramType... types) {
        for (ProgramType t : types) {
            if (p.type() == t) {
                return;
            }
        }
        throw new BpfException(p + " is a " + p.type() + " program: it cannot be attached to " + what + "; "
                + needsExplicit(p));
    }

    private static void closeQuietly(List<AutoCloseable> resources, RuntimeException failure) {
        try {
            Closeables.closeAll(resources);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}

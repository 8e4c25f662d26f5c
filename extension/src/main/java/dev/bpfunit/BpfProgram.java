package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import java.nio.file.Path;
import java.util.Optional;

/** A program loaded into the kernel (the verifier accepted it). Closed with its object. */
public final class BpfProgram implements AutoCloseable {

    private final ProgramSpec spec;
    private final Fd fd;
    private final VerifierLog verifierLog;
    /** The object that loaded this program (its links are registered there); set once by the object. */
    private volatile BpfObject owner;

    BpfProgram(ProgramSpec spec, Fd fd) {
        this(spec, fd, null);
    }

    BpfProgram(ProgramSpec spec, Fd fd, VerifierLog verifierLog) {
        this.spec = spec;
        this.fd = fd;
        this.verifierLog = verifierLog;
    }

    /** The function's name. */
    public String name() {
        return spec.name();
    }

    /** The program type it was loaded as. */
    public ProgramType type() {
        return spec.type();
    }

    /** The linked definition it was loaded from. */
    public ProgramSpec spec() {
        return spec;
    }

    /**
     * The verifier's log of the accepted load, with its statistics ({@code processed N insns}), when the
     * loader asked for one ({@code BpfObjectLoader#logLevel(int)} 1 or 2); empty otherwise.
     */
    public java.util.Optional<VerifierLog> verifierLog() {
        return java.util.Optional.ofNullable(verifierLog);
    }

    /** The kernel's file descriptor for this program. */
    Fd fd() {
        return fd;
    }

    /**
     * The number of the kernel's file descriptor for this program, for the rare test that must hand it on: as the
     * value of a prog-array slot, say. It is closed with the program; do not close it yourself.
     *
     * @throws dev.bpfunit.error.BpfException once it is closed
     */
    public int rawFd() {
        return fd.raw();
    }

    /** Whether the program was closed (by {@link #close()}, its object's close, or the end of its test's scope). */
    public boolean isClosed() {
        return fd.isClosed();
    }

    /**
     * The instructions as the kernel runs them (translated: helper calls resolved, map pointers in place, some
     * helpers inlined), disassembled in the kernel's syntax, each run of instructions under the source line it
     * came from ({@code ; file:line: text}, from the kernel's line info). Kernel addresses are masked. Lets a
     * test assert that the compiler kept a check: {@code anyMatch(l -> l.contains("if r2 > r3"))}.
     */
    public java.util.List<String> translatedInstructions() {
        byte[] xlated = Bpf.progInfo(fd).xlatedInsns();
        if (xlated.length == 0) {
            return java.util.List.of();
        }
        java.util.Map<Long, dev.bpfunit.btf.LineInfo> byOffsets = new java.util.HashMap<>();
        for (dev.bpfunit.btf.LineInfo li : spec.lineInfos()) {
            byOffsets.putIfAbsent(((long) li.fileNameOffset() << 32) | (li.lineOffset() & 0xffffffffL), li);
        }
        java.util.Map<Integer, String> sourceAt = new java.util.HashMap<>();
        for (int[] rec : Bpf.progLineInfo(fd)) {
            dev.bpfunit.btf.LineInfo li = byOffsets.get(((long) rec[1] << 32) | (rec[2] & 0xffffffffL));
            if (li != null) {
                sourceAt.put(rec[0], ProgramLoading.sourceText(li));
            }
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.List<String> insns = dev.bpfunit.asm.Disassembler.disassemble(xlated);
        for (String line : insns) {
            int slot = Integer.parseInt(line.substring(0, line.indexOf(':')));
            String src = sourceAt.get(slot);
            if (src != null) {
                out.add("; " + src);
            }
            out.add(VerifierLog.mask(line));
        }
        return java.util.List.copyOf(out);
    }

    /** The size of the program's JIT-compiled machine code in bytes; 0 when it runs in the interpreter. */
    public int jitedSize() {
        return Bpf.progInfo(fd).jitedProgLen();
    }

    /** The program's control-flow graph in Graphviz DOT, as the object has it (before loading rewrote it). */
    public String controlFlowGraphDot() {
        return dev.bpfunit.asm.ControlFlowGraph.of(spec.instructions()).toDot(name(),
                slot -> spec.lineOf(slot).map(ProgramLoading::sourceText).orElse(null), -1);
    }

    /** What the kernel reports about the program ({@code BPF_OBJ_GET_INFO_BY_FD}), as {@code bpftool prog show}. */
    public ProgramInfo info() {
        return ProgramInfo.of(Bpf.progInfo(fd));
    }

    // ---------------------------------------------------------------- attaching in the live kernel

    /**
     * Attaches the program where its section says, as libbpf does ({@code tp/syscalls/sys_enter_openat},
     * {@code raw_tp/sys_enter}, {@code kprobe/do_sys_openat2}, {@code uprobe//usr/bin/bash:readline},
     * {@code fentry/...}, {@code tp_btf/...}); the link is closed with the object, or earlier by the caller.
     *
     * @throws BpfException naming the explicit method when the section names no target (network and cgroup
     *     programs, perf events, a bare {@code SEC("uprobe")})
     */
    public Link attach() {
        return Attacher.attach(this);
    }

    /**
     * Attaches where {@code target}, written as a section name, says ({@code "tp/syscalls/sys_enter_getpid"},
     * {@code "uprobe//usr/lib/x86_64-linux-gnu/libc.so.6:getpid"}), overriding the program's own section.
     */
    public Link attach(String target) {
        return Attacher.attach(this, target);
    }

    /** Attaches a tracepoint program to tracepoint {@code category:name} ({@code events/<category>/<name>}). */
    public Link attachTracepoint(String category, String name) {
        return Attacher.tracepoint(this, category, name);
    }

    /** Attaches a raw tracepoint program to the raw tracepoint {@code name} ({@code sys_enter}). */
    public Link attachRawTracepoint(String name) {
        return Attacher.rawTracepoint(this, name);
    }

    /** Attaches a kprobe program at the entry of kernel function {@code function} (needs CONFIG_KPROBES). */
    public Link attachKprobe(String function) {
        return Attacher.kprobe(this, function, 0, false);
    }

    /** Attaches a kprobe program at the return of kernel function {@code function} (needs CONFIG_KPROBES). */
    public Link attachKretprobe(String function) {
        return Attacher.kprobe(this, function, 0, true);
    }

    /**
     * Attaches a uprobe at function {@code symbol} of {@code binary} (an executable or shared library; a bare
     * library name is searched like the dynamic linker does), in process {@code pid} only, or every process for -1.
     */
    public Link attachUprobe(Path binary, String symbol, int pid) {
        return Attacher.uprobe(this, binary.toString(), symbol, 0, pid, false);
    }

    /** Like {@link #attachUprobe} at the function's return. */
    public Link attachUretprobe(Path binary, String symbol, int pid) {
        return Attacher.uprobe(this, binary.toString(), symbol, 0, pid, true);
    }

    /**
     * Attaches a perf_event program to a sampling event on every online CPU: {@code perf_event_attr}'s
     * {@code type} and {@code config}, sampling every {@code period} events.
     */
    public Link attachPerfEvent(int type, long config, long period) {
        return Attacher.perfEvent(this, type, config, period, false);
    }

    /** Attaches a perf_event program to the {@code cpu-clock} software event, sampling every {@code periodNs}. */
    public Link attachCpuClock(long periodNs) {
        return Attacher.perfEvent(this, dev.bpfunit.sys.PerfEventAttr.PERF_TYPE_SOFTWARE,
                dev.bpfunit.sys.PerfEventAttr.PERF_COUNT_SW_CPU_CLOCK, periodNs, false);
    }

    /** The object the program belongs to, which owns its links and closes them with itself. */
    public BpfObject owner() {
        return owner;
    }

    void owner(BpfObject object) {
        this.owner = object;
    }

    /**
     * Runs the program once on {@code data} ({@code BPF_PROG_TEST_RUN}) with the default output buffers;
     * see {@link #testRun()} for contexts, repetitions and flags.
     */
    public TestRun run(byte[] data) {
        return testRun().data(data).run();
    }

    /** A test run of this program to configure: data, context, repeat, CPU, live frames. */
    public TestRunBuilder testRun() {
        return new TestRunBuilder(this);
    }

    /** Closes the program's file descriptor. */
    @Override
    public void close() {
        fd.close();
    }

    // ---- network and cgroup attach (logic in NetAttach); each Link is closed with the object

    /** Attaches this XDP program to {@code device} in {@code mode} (a BPF link; netlink before Linux 5.9). */
    public Link attachXdp(NetDevice device, XdpMode mode) {
        return NetAttach.xdp(this, owner, device, mode);
    }

    /** Attaches this tc program to {@code device} (a TCX link on Linux 6.6+, else a clsact filter). */
    public Link attachTc(NetDevice device, TcDirection direction) {
        return NetAttach.tc(this, owner, device, direction);
    }

    /** Attaches this tc program to a netkit {@code device} as {@code NETKIT_PRIMARY} or {@code NETKIT_PEER} (6.7+). */
    public Link attachNetkit(NetDevice device, dev.bpfunit.spec.AttachType type) {
        return NetAttach.netkit(this, owner, device, type);
    }

    /** Attaches this cgroup program to {@code cgroup} at the hook its section names ({@code cgroup/connect4}). */
    public Link attachToCgroup(Cgroup cgroup) {
        return NetAttach.cgroup(this, owner, cgroup, null);
    }

    /** Attaches this cgroup program to {@code cgroup} at the hook {@code type}. */
    public Link attachToCgroup(Cgroup cgroup, dev.bpfunit.spec.AttachType type) {
        return NetAttach.cgroup(this, owner, cgroup, type);
    }

    /** Attaches this sk_lookup program to the network namespace {@code netns}. */
    public Link attachSkLookup(NetNs netns) {
        return NetAttach.skLookup(this, owner, netns);
    }

    /** Attaches this socket filter to {@code socket} ({@code SO_ATTACH_BPF}). */
    public Link attachToSocket(UdpSocket socket) {
        return NetAttach.socket(this, owner, socket.fd(), socket.toString());
    }

    /** Attaches this socket filter to {@code socket} ({@code SO_ATTACH_BPF}). */
    public Link attachToSocket(TcpSocket socket) {
        return NetAttach.socket(this, owner, socket.fd(), socket.toString());
    }

    /** Attaches this sk_msg/sk_skb program to a SOCKMAP or SOCKHASH at the hook its section names. */
    public Link attachToMap(BpfMap sockmap) {
        return NetAttach.sockmap(this, owner, sockmap, null);
    }

    /** Attaches this sk_msg/sk_skb program to a SOCKMAP or SOCKHASH at the hook {@code type}. */
    public Link attachToMap(BpfMap sockmap, dev.bpfunit.spec.AttachType type) {
        return NetAttach.sockmap(this, owner, sockmap, type);
    }

    @Override
    public String toString() {
        return "program '" + name() + "' (" + spec.type() + ", section " + spec.section() + ")";
    }
}

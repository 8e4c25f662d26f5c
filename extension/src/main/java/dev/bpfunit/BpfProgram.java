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
    private BpfObject owner;

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
    public Fd fd() {
        return fd;
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

    @Override
    public String toString() {
        return "program '" + name() + "' (" + spec.type() + ", section " + spec.section() + ")";
    }
}

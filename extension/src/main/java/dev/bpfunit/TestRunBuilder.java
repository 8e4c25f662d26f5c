package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.ProgTestRunAttr;
import java.util.Objects;

/**
 * Builds one {@code BPF_PROG_TEST_RUN} of a program: data, context, output sizes, repetitions and flags,
 * checked against what the kernel accepts for the program's type before the call.
 *
 * <pre>{@code
 * TestRun r = prog.testRun()
 *     .data(packet)
 *     .context(XdpContext.ingress(1, 0))
 *     .repeat(100)
 *     .run();
 * assertThat(r.xdpAction()).isEqualTo(XdpAction.PASS);
 * }</pre>
 *
 * <p>Output buffers: by default the data buffer holds the input plus {@value #DEFAULT_DATA_OUT_PAD} bytes
 * (room for any {@code bpf_xdp_adjust_head}/{@code adjust_tail} or {@code bpf_skb_change_tail} growth
 * within a page) and the context buffer the context's kernel size. If the kernel still reports
 * {@code ENOSPC}, the run is repeated once with buffers of the size it reported; the program then ran
 * twice, which a test counting runs in a map should know. With {@link #dataOutSize} or
 * {@link #contextOutSize} set, an {@code ENOSPC} is an error instead.
 */
public final class TestRunBuilder {
    /** Extra bytes of the default output data buffer beyond the input. */
    public static final int DEFAULT_DATA_OUT_PAD = 4096;
    /** {@code ETH_HLEN}: the shortest packet the kernel accepts for XDP, skb and flow dissector runs. */
    public static final int ETH_HLEN = RunKind.ETH_HLEN;
    /** {@code sizeof(struct iphdr)}: the shortest packet of a netfilter run. */
    public static final int IPV4_HLEN = RunKind.IPV4_HLEN;

    private final BpfProgram program;
    private byte[] data;
    private int dataOutSize = -1;
    private byte[] context;
    private RunContext typedContext;
    private int contextOutSize = -1;
    private int repeat;
    private int cpu = -1;
    private int liveFramesBatch = -1;
    private boolean checksumComplete;

    TestRunBuilder(BpfProgram program) {
        this.program = program;
    }

    /** The packet (or other input data) the program runs on. */
    public TestRunBuilder data(byte[] bytes) {
        this.data = Objects.requireNonNull(bytes, "data").clone();
        return this;
    }

    /** The size of the output data buffer; an output larger than this is an error. */
    public TestRunBuilder dataOutSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("dataOutSize must not be negative, got " + size);
        }
        this.dataOutSize = size;
        return this;
    }

    /** The context as raw bytes in the kernel's layout, for types without a {@link RunContext} here. */
    public TestRunBuilder context(byte[] bytes) {
        this.context = Objects.requireNonNull(bytes, "context").clone();
        this.typedContext = null;
        return this;
    }

    /** A typed context: {@link XdpContext}, {@link SkbContext}, {@link FlowKeys}, {@link SkLookupContext}, ... */
    public TestRunBuilder context(RunContext ctx) {
        Objects.requireNonNull(ctx, "context");
        this.typedContext = ctx;
        this.context = null;
        return this;
    }

    /** The size of the output context buffer; a larger output context is an error. */
    public TestRunBuilder contextOutSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("contextOutSize must not be negative, got " + size);
        }
        this.contextOutSize = size;
        return this;
    }

    /** Runs the program {@code times} times in one call (the kernel averages the duration); default 1. */
    public TestRunBuilder repeat(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, got " + times);
        }
        this.repeat = times;
        return this;
    }

    /** Runs on this CPU ({@code BPF_F_TEST_RUN_ON_CPU}); only raw tracepoint programs support it. */
    public TestRunBuilder cpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu must not be negative, got " + cpu);
        }
        this.cpu = cpu;
        return this;
    }

    /**
     * XDP live-frame mode ({@code BPF_F_TEST_XDP_LIVE_FRAMES}, Linux 5.18): frames the program passes,
     * transmits or redirects really go on; nothing is copied back. {@code batchSize} frames per batch
     * (0: the kernel's default of 64, at most 256).
     */
    public TestRunBuilder liveFrames(int batchSize) {
        if (batchSize < 0 || batchSize > 256) {
            throw new IllegalArgumentException("live-frame batch size must be 0..256, got " + batchSize);
        }
        this.liveFramesBatch = batchSize;
        return this;
    }

    /** skb runs: {@code BPF_F_TEST_SKB_CHECKSUM_COMPLETE}, the kernel checks the program kept the checksum right. */
    public TestRunBuilder checksumComplete() {
        this.checksumComplete = true;
        return this;
    }

    /** Runs the program and returns what it did. */
    public TestRun run() {
        ProgramType type = program.type();
        RunKind kind = RunKind.of(type, program.spec().attachType());
        if (kind == RunKind.NONE) {
            throw new BpfException(program + ": " + cannotRun(type, program.spec().attachType()));
        }
        validate(kind, type);
        byte[] ctx = contextBytes(kind);
        ProgTestRunAttr attr = attr(kind, ctx, dataOutSize, contextOutSize);
        try {
            Bpf.progTestRunInto(program.fd(), attr);
        } catch (BpfSyscallException e) {
            if (e.errno() == Errno.ENOSPC && dataOutSize < 0 && contextOutSize < 0) {
                attr = attr(kind, ctx, attr.reportedDataSizeOut(), attr.reportedCtxSizeOut());
                callOrExplain(kind, type, attr);
            } else {
                throw explain(kind, type, e);
            }
        }
        // the attr hands its output arrays over (it keeps none of them); TestRun makes its own copies
        byte[] ctxOut = kind == RunKind.SYSCALL ? attr.takeCtxInAfterCall() : attr.takeCtxOut();
        return new TestRun(attr.retvalAfterCall(), data == null ? new byte[0] : data, attr.takeDataOut(), ctxOut,
                attr.durationNsAfterCall(), Math.max(1, repeat), type);
    }

    private void callOrExplain(RunKind kind, ProgramType type, ProgTestRunAttr attr) {
        try {
            Bpf.progTestRunInto(program.fd(), attr);
        } catch (BpfSyscallException e) {
            throw explain(kind, type, e);
        }
    }

    private void validate(RunKind kind, ProgramType type) {
        // the program's description is built only for an error, not on the path of a valid run
        if (kind.takesData()) {
            if (data == null) {
                throw new BpfException(program + ": a " + type + " test run needs a packet: pass it with data(bytes)");
            }
            int meta = typedContext instanceof XdpContext x ? x.metadataLength() : 0;
            String tooShort = kind.tooShort(data, meta, type);
            if (tooShort != null) {
                throw new BpfException(program + ": " + tooShort);
            }
        } else if (data != null) {
            throw new BpfException(program + ": a " + type + " test run takes no data"
                    + (kind == RunKind.SK_LOOKUP ? "; describe the lookup with context(SkLookupContext.tcp(...))"
                    : kind == RunKind.RAW_TRACEPOINT ? "; pass the arguments with context(new RawTracepointArgs(...))"
                    : kind == RunKind.SYSCALL ? "; pass its argument struct with context(bytes)" : ""));
        }
        if (kind == RunKind.SK_LOOKUP && context == null && typedContext == null) {
            throw new BpfException(program + ": an SK_LOOKUP test run needs a context: context(SkLookupContext.tcp("
                    + "remote, local))");
        }
        if (kind == RunKind.TRACING && (context != null || typedContext != null)) {
            throw new BpfException(program + ": a fentry/fexit/fmod_ret test run takes no context: the kernel calls its "
                    + "bpf_fentry_test* functions, and the program runs if attached to one of them");
        }
        if (typedContext != null && typedContext.kind() != kind) {
            throw new BpfException(program + ": a " + typedContext.kernelStruct() + " is not the context of a " + type
                    + " program");
        }
        if (!kind.repeats() && repeat > 1) {
            throw new BpfException(program + ": the kernel runs " + type + " programs once per test run (repeat must "
                    + "be 1, got " + repeat + "); call run() in a loop instead");
        }
        if (cpu >= 0 && kind != RunKind.RAW_TRACEPOINT) {
            throw new BpfException(program + ": cpu(" + cpu + ") (BPF_F_TEST_RUN_ON_CPU) is only for raw tracepoint "
                    + "programs; the kernel refuses it for " + type);
        }
        if (liveFramesBatch >= 0 && kind != RunKind.XDP) {
            throw new BpfException(program + ": liveFrames is only for XDP programs, not " + type);
        }
        if (checksumComplete && kind != RunKind.SKB) {
            throw new BpfException(program + ": checksumComplete is only for socket buffer programs, not " + type);
        }
        if (liveFramesBatch >= 0 && (dataOutSize > 0 || contextOutSize > 0)) {
            throw new BpfException(program + ": in live-frame mode nothing is copied back; do not set dataOutSize or "
                    + "contextOutSize");
        }
    }

    private byte[] contextBytes(RunKind kind) {
        if (typedContext instanceof XdpContext x && x.dataEnd() == 0) {
            return new XdpContext(x.data(), data.length, x.dataMeta(), x.ingressIfindex(), x.rxQueueIndex(),
                    x.egressIfindex()).encode();
        }
        if (typedContext != null) {
            return typedContext.encode();
        }
        return context;
    }

    private ProgTestRunAttr attr(RunKind kind, byte[] ctx, int dataOut, int ctxOut) {
        ProgTestRunAttr attr = new ProgTestRunAttr().dataIn(data).ctxIn(ctx);
        boolean live = liveFramesBatch >= 0;
        if (data != null) {
            attr.dataSizeOut(live ? 0 : dataOut >= 0 ? dataOut : data.length + DEFAULT_DATA_OUT_PAD);
        } else {
            attr.dataSizeOut(0);
        }
        int ctxCap = 0;
        if (ctx != null && kind.contextOut() && !live) {
            ctxCap = ctxOut >= 0 ? ctxOut : Math.max(ctx.length, kind.contextSize());
        }
        attr.ctxSizeOut(ctxCap);
        if (kind.repeats()) {
            attr.repeat(Math.max(1, repeat));
        }
        int flags = 0;
        if (cpu >= 0) {
            flags |= BpfConstants.BPF_F_TEST_RUN_ON_CPU;
            attr.cpu(cpu);
        }
        if (live) {
            flags |= BpfConstants.BPF_F_TEST_XDP_LIVE_FRAMES;
            attr.batchSize(liveFramesBatch);
        }
        if (checksumComplete) {
            flags |= BpfConstants.BPF_F_TEST_SKB_CHECKSUM_COMPLETE;
        }
        return attr.flags(flags);
    }

    /** Adds what the kernel's checks for this type make an EINVAL (or other errno) most likely mean. */
    private BpfException explain(RunKind kind, ProgramType type, BpfSyscallException e) {
        String why = switch (e.errno()) {
            case EINVAL -> kind.einval();
            case ENODEV -> "the ifindex in the context names no interface in this network namespace";
            case ENOTSUPP, EOPNOTSUPP -> cannotRun(type, program.spec().attachType());
            case EAFNOSUPPORT -> "the sk_lookup family must be AF_INET (2) or AF_INET6 (10)";
            case ENXIO -> "CPU " + cpu + " is offline or does not exist";
            case EBADMSG -> "the program left the packet with a checksum that does not match CHECKSUM_COMPLETE";
            case EPERM -> liveFramesBatch >= 0
                    ? "the run asked for XDP live-frame mode (liveFrames), which some kernels refuse with EPERM even "
                            + "to a process with CAP_BPF and CAP_NET_ADMIN; Features.xdpLiveFramesUnavailableReason() "
                            + "says whether this one does (skip live-frame tests with it); without liveFrames() the run "
                            + "still gives the verdict and the program's effects on its maps"
                    : "";
            default -> "";
        };
        return new BpfException(program + ": " + e.getMessage() + (why.isEmpty() ? "" : "\n  " + why), e);
    }

    /** Why the kernel cannot test-run a program of this type, and what a test can do instead. */
    static String cannotRun(ProgramType type, AttachType attach) {
        String instead = switch (type) {
            case KPROBE -> "attach it to its kernel function (a kprobe link) and make the function run, for "
                    + "example through the system call that reaches it; then check its maps and globals";
            case TRACEPOINT, PERF_EVENT -> "attach it and trigger the event from the test (for a syscalls "
                    + "tracepoint, make that system call); then check its maps and globals";
            case TRACING -> attach == AttachType.TRACE_RAW_TP || attach == AttachType.TRACE_ITER
                    ? "attach it and trigger the event (tp_btf), or read the iterator; then check its maps"
                    : "only fentry, fexit and fmod_ret programs attached to bpf_fentry_test* functions can be "
                            + "test-run; attach it and trigger its function instead";
            case LSM -> "attach it (an LSM link) and perform the operation its hook guards";
            case CGROUP_SOCK, CGROUP_SOCK_ADDR, CGROUP_SOCKOPT, CGROUP_SYSCTL, CGROUP_DEVICE, SOCK_OPS ->
                    "attach it to a cgroup and run the socket, sysctl or device operation from a process in it";
            case SK_SKB, SK_MSG, SK_REUSEPORT -> "attach it to a sockmap or reuseport group and send traffic "
                    + "through real sockets";
            default -> "move the logic into a function you can call from an XDP, tc or syscall program and "
                    + "test-run that";
        };
        return "the kernel cannot test-run " + type + " programs (BPF_PROG_TEST_RUN supports xdp, sched_cls, "
                + "sched_act, socket_filter, cgroup_skb, lwt_*, flow_dissector, sk_lookup, raw_tracepoint, "
                + "syscall, netfilter and fentry/fexit/fmod_ret); instead, " + instead;
    }
}

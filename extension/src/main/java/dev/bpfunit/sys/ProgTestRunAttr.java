package dev.bpfunit.sys;

/**
 * The attributes of {@code BPF_PROG_TEST_RUN}: the input packet and context, output buffer sizes,
 * repetitions and flags for one test run by {@link Bpf#progTestRun}.
 *
 * <p>Output buffers: with input data and no {@link #dataSizeOut}, the data buffer holds the input
 * plus {@value #DEFAULT_DATA_OUT_PAD} bytes, room for any growth by {@code bpf_xdp_adjust_head/tail}
 * or {@code bpf_skb_change_tail}; with a context and no {@link #ctxSizeOut}, the context buffer is as
 * large as the input context. After the call {@link #reportedDataSizeOut()} and
 * {@link #reportedCtxSizeOut()} give the sizes the kernel reported, also when the buffers were too
 * small ({@code ENOSPC}).
 *
 * <p>This object owns no native memory: it holds the settings, and each call lays the {@code bpf_attr}
 * and the input and output buffers out in the calling thread's {@link Scratch} just before the call and
 * copies the results back right after it. So one attr may be run again, and from another thread, as long
 * as two threads do not use it at the same time.
 */
public final class ProgTestRunAttr {
    static final int PROG_FD = 0;         // test.prog_fd
    static final int RETVAL = 4;          // test.retval
    static final int DATA_SIZE_IN = 8;    // test.data_size_in
    static final int DATA_SIZE_OUT = 12;  // test.data_size_out
    static final int DATA_IN = 16;        // test.data_in (u64 pointer)
    static final int DATA_OUT = 24;       // test.data_out (u64 pointer)
    static final int REPEAT = 32;         // test.repeat
    static final int DURATION = 36;       // test.duration
    static final int CTX_SIZE_IN = 40;    // test.ctx_size_in
    static final int CTX_SIZE_OUT = 44;   // test.ctx_size_out
    static final int CTX_IN = 48;         // test.ctx_in (u64 pointer)
    static final int CTX_OUT = 56;        // test.ctx_out (u64 pointer)
    static final int FLAGS = 64;          // test.flags
    static final int CPU = 68;            // test.cpu
    static final int BATCH_SIZE = 72;     // test.batch_size
    /** Ends after test.batch_size. */
    static final int SIZE = 76;

    /** Extra bytes of the default data output buffer beyond the input. */
    public static final int DEFAULT_DATA_OUT_PAD = 4096;

    private byte[] dataIn;
    private byte[] ctxIn;
    private int dataSizeOut = -1;
    private int ctxSizeOut = -1;
    private int repeat;
    private int flags;
    private int cpu;
    private int batchSize;
    /** What the last call left: the kernel's fields, the buffer sizes and the buffers' contents. */
    private int retval;
    private int duration;
    private int reportedDataSizeOut;
    private int reportedCtxSizeOut;
    private int dataCapacity;
    private int ctxCapacity;
    /** The empty output: nothing to copy, and nothing anyone can change. */
    private static final byte[] NONE = {};
    private byte[] dataOut = NONE;
    private byte[] ctxOut = NONE;
    private byte[] ctxInAfterCall = NONE;

    /** The {@code bpf_attr} of one call, in a slice of the caller's {@link Scratch}. */
    private static final class Call extends Attr {
        Call(Scratch scratch) {
            super(scratch, SIZE);
        }
    }

    public ProgTestRunAttr() {
    }

    /** {@code data_in} and {@code data_size_in}: the packet (or other data) the program runs on. */
    public ProgTestRunAttr dataIn(byte[] data) {
        this.dataIn = data == null ? null : data.clone();
        return this;
    }

    /** {@code data_size_out}: bytes of the output data buffer (0: no data out). */
    public ProgTestRunAttr dataSizeOut(int size) {
        Attr.requireNonNegative("dataSizeOut", size);
        this.dataSizeOut = size;
        return this;
    }

    /** {@code ctx_in} and {@code ctx_size_in}: the context ({@code struct xdp_md}, {@code __sk_buff}...). */
    public ProgTestRunAttr ctxIn(byte[] ctx) {
        this.ctxIn = ctx == null ? null : ctx.clone();
        return this;
    }

    /** {@code ctx_size_out}: bytes of the output context buffer (0: no context out). */
    public ProgTestRunAttr ctxSizeOut(int size) {
        Attr.requireNonNegative("ctxSizeOut", size);
        this.ctxSizeOut = size;
        return this;
    }

    /** {@code repeat}: runs in one call (0 counts as 1); the duration is the mean over them. */
    public ProgTestRunAttr repeat(int times) {
        Attr.requireNonNegative("repeat", times);
        this.repeat = times;
        return this;
    }

    /** {@code flags}: {@code BpfConstants.BPF_F_TEST_RUN_ON_CPU}, {@code BPF_F_TEST_XDP_LIVE_FRAMES}. */
    public ProgTestRunAttr flags(int flags) {
        this.flags = flags;
        return this;
    }

    /** {@code cpu}: where to run, with {@code BPF_F_TEST_RUN_ON_CPU}. */
    public ProgTestRunAttr cpu(int cpu) {
        Attr.requireNonNegative("cpu", cpu);
        this.cpu = cpu;
        return this;
    }

    /** {@code batch_size}: frames per batch in XDP live-frame mode. */
    public ProgTestRunAttr batchSize(int size) {
        Attr.requireNonNegative("batchSize", size);
        this.batchSize = size;
        return this;
    }

    /** {@code data_size_out} as the kernel wrote it back after the last call; may exceed the buffer. */
    public int reportedDataSizeOut() {
        return reportedDataSizeOut;
    }

    /** {@code ctx_size_out} as the kernel wrote it back after the last call; may exceed the buffer. */
    public int reportedCtxSizeOut() {
        return reportedCtxSizeOut;
    }

    /**
     * The {@code ctx_in} buffer as it is after the last call: {@code BPF_PROG_TYPE_SYSCALL} programs
     * have no {@code ctx_out}; the kernel copies their context back into {@code ctx_in}.
     */
    public byte[] ctxInAfterCall() {
        return ctxInAfterCall.clone();
    }

    /** {@code retval} as the kernel wrote it back after the last call. */
    public int retvalAfterCall() {
        return retval;
    }

    /** {@code duration} after the last call: the kernel's mean run time over the repetitions, in nanoseconds. */
    public long durationNsAfterCall() {
        return Integer.toUnsignedLong(duration);
    }

    /**
     * Hands over the output data of the last call (cut as {@link TestRunResult#dataOut()} is) without a copy: this
     * attr keeps none of it afterwards (a second call returns an empty array), so nothing else can change it.
     */
    public byte[] takeDataOut() {
        byte[] out = dataOut;
        dataOut = NONE;
        return out;
    }

    /** As {@link #takeDataOut()}, for the output context. */
    public byte[] takeCtxOut() {
        byte[] out = ctxOut;
        ctxOut = NONE;
        return out;
    }

    /** As {@link #takeDataOut()}, for {@link #ctxInAfterCall()}. */
    public byte[] takeCtxInAfterCall() {
        byte[] out = ctxInAfterCall;
        ctxInAfterCall = NONE;
        return out;
    }

    private int dataCap() {
        return dataSizeOut >= 0 ? dataSizeOut : dataIn == null ? 0 : dataIn.length + DEFAULT_DATA_OUT_PAD;
    }

    private int ctxCap() {
        return ctxSizeOut >= 0 ? ctxSizeOut : ctxIn == null ? 0 : ctxIn.length;
    }

    /** The {@link Scratch} bytes {@link #prepare} takes: the attr, the input and the output buffers. */
    long scratchSize() {
        return Scratch.slot(SIZE) + Scratch.slot(dataIn == null ? 0 : dataIn.length)
                + Scratch.slot(ctxIn == null ? 0 : ctxIn.length) + Scratch.slot(dataCap()) + Scratch.slot(ctxCap());
    }

    /**
     * Lays out the {@code bpf_attr} for a call of {@code prog}, and its input and output buffers, in
     * {@code scratch}, which stays open until after {@link #finish}.
     *
     * <p>The data output buffer is not cleared: the kernel writes the first {@code data_size_out} bytes it
     * reports and {@link #finish} copies no more than those. The context output is cleared: the kernel may
     * leave fields of it unwritten.
     */
    Attr prepare(Fd prog, Scratch scratch) {
        Call call = new Call(scratch);
        dataCapacity = dataCap();
        ctxCapacity = ctxCap();
        call.fd(PROG_FD, prog);
        call.u32(DATA_SIZE_IN, dataIn == null ? 0 : dataIn.length);
        call.address(DATA_IN, scratch.copyOf(dataIn));
        call.u32(DATA_SIZE_OUT, dataCapacity);
        call.address(DATA_OUT, scratch.uncleared(dataCapacity));
        call.u32(REPEAT, repeat);
        call.u32(CTX_SIZE_IN, ctxIn == null ? 0 : ctxIn.length);
        call.address(CTX_IN, scratch.copyOf(ctxIn));
        call.u32(CTX_SIZE_OUT, ctxCapacity);
        call.address(CTX_OUT, scratch.zeroed(ctxCapacity));
        call.u32(FLAGS, flags);
        call.u32(CPU, cpu);
        call.u32(BATCH_SIZE, batchSize);
        return call;
    }

    /**
     * Copies out what the kernel wrote into {@code call} and its buffers, after the call and before the
     * scratch is closed, whether the call succeeded or not.
     */
    void finish(Attr call, Scratch scratch) {
        retval = call.u32(RETVAL);
        duration = call.u32(DURATION);
        reportedDataSizeOut = call.u32(DATA_SIZE_OUT);
        reportedCtxSizeOut = call.u32(CTX_SIZE_OUT);
        dataOut = read(call, scratch, DATA_OUT, Math.min(Integer.toUnsignedLong(reportedDataSizeOut), dataCapacity));
        ctxOut = read(call, scratch, CTX_OUT, Math.min(Integer.toUnsignedLong(reportedCtxSizeOut), ctxCapacity));
        ctxInAfterCall = read(call, scratch, CTX_IN, ctxIn == null ? 0 : ctxIn.length);
    }

    private static byte[] read(Attr call, Scratch scratch, int pointerField, long length) {
        long address = call.u64(pointerField);
        if (address == 0 || length == 0) {
            return NONE;
        }
        byte[] out = new byte[(int) length];
        scratch.read(address, out);
        return out;
    }

    int dataCapacity() {
        return dataCapacity;
    }

    int ctxCapacity() {
        return ctxCapacity;
    }

    /** The result of the last call, after {@link #finish} (the record copies the arrays). */
    TestRunResult result() {
        return new TestRunResult(retval, dataOut, ctxOut, Integer.toUnsignedLong(duration), reportedDataSizeOut,
                reportedCtxSizeOut);
    }
}

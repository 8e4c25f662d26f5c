package dev.bpfunit.sys;

import com.sun.jna.Pointer;

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
 * <p>The attr itself is the only native memory this object owns: the input and output buffers are
 * slices of the calling thread's {@link Scratch}, filled just before the call and copied out right after
 * it, so one attr may be run again, and from another thread, as long as two threads do not use it at the
 * same time.
 */
public final class ProgTestRunAttr extends Attr {
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
    /** After a call: the output buffers' sizes and what the kernel left in them and in the context input. */
    private int dataCapacity;
    private int ctxCapacity;
    private byte[] dataOut = new byte[0];
    private byte[] ctxOut = new byte[0];
    private byte[] ctxInAfterCall = new byte[0];

    public ProgTestRunAttr() {
        super(SIZE);
    }

    /** {@code data_in} and {@code data_size_in}: the packet (or other data) the program runs on. */
    public ProgTestRunAttr dataIn(byte[] data) {
        this.dataIn = data == null ? null : data.clone();
        u32(DATA_SIZE_IN, dataIn == null ? 0 : dataIn.length);
        return this;
    }

    /** {@code data_size_out}: bytes of the output data buffer (0: no data out). */
    public ProgTestRunAttr dataSizeOut(int size) {
        requireNonNegative("dataSizeOut", size);
        this.dataSizeOut = size;
        return this;
    }

    /** {@code ctx_in} and {@code ctx_size_in}: the context ({@code struct xdp_md}, {@code __sk_buff}...). */
    public ProgTestRunAttr ctxIn(byte[] ctx) {
        this.ctxIn = ctx == null ? null : ctx.clone();
        u32(CTX_SIZE_IN, ctxIn == null ? 0 : ctxIn.length);
        return this;
    }

    /** {@code ctx_size_out}: bytes of the output context buffer (0: no context out). */
    public ProgTestRunAttr ctxSizeOut(int size) {
        requireNonNegative("ctxSizeOut", size);
        this.ctxSizeOut = size;
        return this;
    }

    /** {@code repeat}: runs in one call (0 counts as 1); the duration is the mean over them. */
    public ProgTestRunAttr repeat(int times) {
        requireNonNegative("repeat", times);
        u32(REPEAT, times);
        return this;
    }

    /** {@code flags}: {@code BpfConstants.BPF_F_TEST_RUN_ON_CPU}, {@code BPF_F_TEST_XDP_LIVE_FRAMES}. */
    public ProgTestRunAttr flags(int flags) {
        u32(FLAGS, flags);
        return this;
    }

    /** {@code cpu}: where to run, with {@code BPF_F_TEST_RUN_ON_CPU}. */
    public ProgTestRunAttr cpu(int cpu) {
        requireNonNegative("cpu", cpu);
        u32(CPU, cpu);
        return this;
    }

    /** {@code batch_size}: frames per batch in XDP live-frame mode. */
    public ProgTestRunAttr batchSize(int size) {
        requireNonNegative("batchSize", size);
        u32(BATCH_SIZE, size);
        return this;
    }

    /** {@code data_size_out} as the kernel wrote it back after the last call; may exceed the buffer. */
    public int reportedDataSizeOut() {
        return u32(DATA_SIZE_OUT);
    }

    /** {@code ctx_size_out} as the kernel wrote it back after the last call; may exceed the buffer. */
    public int reportedCtxSizeOut() {
        return u32(CTX_SIZE_OUT);
    }

    /**
     * The {@code ctx_in} buffer as it is after the last call: {@code BPF_PROG_TYPE_SYSCALL} programs
     * have no {@code ctx_out}; the kernel copies their context back into {@code ctx_in}.
     */
    public byte[] ctxInAfterCall() {
        return ctxInAfterCall.clone();
    }

    private int dataCap() {
        return dataSizeOut >= 0 ? dataSizeOut : dataIn == null ? 0 : dataIn.length + DEFAULT_DATA_OUT_PAD;
    }

    private int ctxCap() {
        return ctxSizeOut >= 0 ? ctxSizeOut : ctxIn == null ? 0 : ctxIn.length;
    }

    /** The {@link Scratch} bytes {@link #prepare} takes: input and output buffers. */
    long scratchSize() {
        return Scratch.slot(dataIn == null ? 0 : dataIn.length) + Scratch.slot(ctxIn == null ? 0 : ctxIn.length)
                + Scratch.slot(dataCap()) + Scratch.slot(ctxCap());
    }

    /**
     * Sets the program and places the input and output buffers in {@code scratch} (which stays open until
     * after {@link #finish}) just before a call.
     *
     * <p>The data output buffer is not cleared: the kernel writes the first {@code data_size_out} bytes it
     * reports and {@link #finish} copies no more than those. The context output is cleared: the kernel may
     * leave fields of it unwritten.
     */
    void prepare(Fd prog, Scratch scratch) {
        fd(PROG_FD, prog);
        dataCapacity = dataCap();
        ctxCapacity = ctxCap();
        Pointer ctxInBuffer = scratch.copyOf(ctxIn);
        address(DATA_IN, scratch.copyOf(dataIn));
        address(CTX_IN, ctxInBuffer);
        address(DATA_OUT, scratch.uncleared(dataCapacity));
        u32(DATA_SIZE_OUT, dataCapacity);
        address(CTX_OUT, scratch.zeroed(ctxCapacity));
        u32(CTX_SIZE_OUT, ctxCapacity);
        u32(RETVAL, 0);
        u32(DURATION, 0);
        dataOut = new byte[0];
        ctxOut = new byte[0];
        ctxInAfterCall = new byte[0];
    }

    /**
     * Copies out what the kernel wrote into the scratch buffers of {@link #prepare}, after the call and
     * before the scratch is closed, whether the call succeeded or not.
     */
    void finish() {
        dataOut = read(DATA_OUT, Math.min(Integer.toUnsignedLong(reportedDataSizeOut()), dataCapacity));
        ctxOut = read(CTX_OUT, Math.min(Integer.toUnsignedLong(reportedCtxSizeOut()), ctxCapacity));
        ctxInAfterCall = read(CTX_IN, ctxIn == null ? 0 : ctxIn.length);
    }

    private byte[] read(int pointerField, long length) {
        long address = u64(pointerField);
        return address == 0 || length == 0 ? new byte[0] : new Pointer(address).getByteArray(0, (int) length);
    }

    int dataCapacity() {
        return dataCapacity;
    }

    int ctxCapacity() {
        return ctxCapacity;
    }

    /** The result of the last call, after {@link #finish} (the record copies the arrays). */
    TestRunResult result() {
        return new TestRunResult(u32(RETVAL), dataOut, ctxOut, Integer.toUnsignedLong(u32(DURATION)),
                reportedDataSizeOut(), reportedCtxSizeOut());
    }
}

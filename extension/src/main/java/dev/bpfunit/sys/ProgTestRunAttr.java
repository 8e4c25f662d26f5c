package dev.bpfunit.sys;

import com.sun.jna.Memory;

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
    private Memory ctxInMemory;
    private Memory dataOut;
    private Memory ctxOut;

    public ProgTestRunAttr() {
        super(SIZE);
    }

    /** {@code data_in} and {@code data_size_in}: the packet (or other data) the program runs on. */
    public ProgTestRunAttr dataIn(byte[] data) {
        this.dataIn = data == null ? null : data.clone();
        pointer(DATA_IN, nativeCopy(dataIn));
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
        ctxInMemory = nativeCopy(ctxIn);
        pointer(CTX_IN, ctxInMemory);
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
        return ctxInMemory == null ? new byte[0] : ctxInMemory.getByteArray(0, ctxIn.length);
    }

    /** Sets the program and (re)allocates the output buffers just before a call. */
    void prepare(Fd prog) {
        fd(PROG_FD, prog);
        int dataCap = dataSizeOut >= 0 ? dataSizeOut : dataIn == null ? 0 : dataIn.length + DEFAULT_DATA_OUT_PAD;
        int ctxCap = ctxSizeOut >= 0 ? ctxSizeOut : ctxIn == null ? 0 : ctxIn.length;
        dataOut = nativeBuffer(dataCap);
        ctxOut = nativeBuffer(ctxCap);
        pointer(DATA_OUT, dataOut);
        u32(DATA_SIZE_OUT, dataCap);
        pointer(CTX_OUT, ctxOut);
        u32(CTX_SIZE_OUT, ctxCap);
        u32(RETVAL, 0);
        u32(DURATION, 0);
    }

    int dataCapacity() {
        return dataOut == null ? 0 : (int) dataOut.size();
    }

    int ctxCapacity() {
        return ctxOut == null ? 0 : (int) ctxOut.size();
    }

    TestRunResult result() {
        int dataSize = reportedDataSizeOut();
        int ctxSize = reportedCtxSizeOut();
        return new TestRunResult(u32(RETVAL),
                copy(dataOut, Math.min(Integer.toUnsignedLong(dataSize), dataCapacity())),
                copy(ctxOut, Math.min(Integer.toUnsignedLong(ctxSize), ctxCapacity())),
                Integer.toUnsignedLong(u32(DURATION)), dataSize, ctxSize);
    }

    private static byte[] copy(Memory m, long length) {
        return Attr.copy(m, (int) length);
    }
}

package dev.bpfunit.sys;

import java.util.Arrays;

/**
 * What one {@code BPF_PROG_TEST_RUN} reported: the program's return value, the data and context it
 * left behind, and the time it took.
 *
 * @param retval the program's return value (e.g. {@code XDP_PASS} = 2)
 * @param dataOut the output data, cut to what the kernel reported and the buffer held
 * @param ctxOut the output context, cut likewise (empty if none was asked for)
 * @param durationNs the kernel's mean run time over the repetitions, in nanoseconds
 * @param dataSizeOut {@code data_size_out} as the kernel reported it
 * @param ctxSizeOut {@code ctx_size_out} as the kernel reported it
 */
public record TestRunResult(int retval, byte[] dataOut, byte[] ctxOut, long durationNs, int dataSizeOut,
        int ctxSizeOut) {

    public TestRunResult {
        dataOut = copy(dataOut);
        ctxOut = copy(ctxOut);
    }

    /** Arrays are copied in and out, so none can be changed through this record (an empty one cannot change). */
    private static byte[] copy(byte[] bytes) {
        return bytes.length == 0 ? NONE : bytes.clone();
    }

    private static final byte[] NONE = {};

    /** A copy of the output data. */
    @Override
    public byte[] dataOut() {
        return copy(dataOut);
    }

    /** A copy of the output context. */
    @Override
    public byte[] ctxOut() {
        return copy(ctxOut);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TestRunResult r && retval == r.retval && durationNs == r.durationNs
                && dataSizeOut == r.dataSizeOut && ctxSizeOut == r.ctxSizeOut
                && Arrays.equals(dataOut, r.dataOut) && Arrays.equals(ctxOut, r.ctxOut);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * retval + Arrays.hashCode(dataOut)) + Arrays.hashCode(ctxOut);
    }

    @Override
    public String toString() {
        return "TestRunResult[retval=" + retval + ", dataOut=" + dataOut.length + " bytes, ctxOut=" + ctxOut.length
                + " bytes, durationNs=" + durationNs + "]";
    }
}

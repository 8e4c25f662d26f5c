package dev.bpfunit.sys;

/**
 * The outcome of one {@code BPF_MAP_LOOKUP_BATCH} or {@code BPF_MAP_LOOKUP_AND_DELETE_BATCH} call:
 * how many elements it returned and where the next call starts.
 *
 * @param count elements written to the key and value buffers (may be 0)
 * @param nextBatch the opaque position to pass as {@code inBatch} of the next call
 * @param done whether the map has no more elements ({@code ENOENT}); {@code count} may still be
 *     above 0 on the last call
 */
public record BatchResult(int count, byte[] nextBatch, boolean done) {
    public BatchResult {
        nextBatch = nextBatch.clone();
    }

    /** A copy of the position token. */
    @Override
    public byte[] nextBatch() {
        return nextBatch.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchResult r && count == r.count && done == r.done
                && java.util.Arrays.equals(nextBatch, r.nextBatch);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * count + java.util.Arrays.hashCode(nextBatch)) + (done ? 1 : 0);
    }

    @Override
    public String toString() {
        return "BatchResult[count=" + count + ", done=" + done + "]";
    }
}

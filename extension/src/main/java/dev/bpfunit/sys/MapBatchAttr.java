package dev.bpfunit.sys;


/**
 * The attributes of the {@code BPF_MAP_*_BATCH} commands ({@code bpf_attr.batch}). The buffer pointers
 * are {@link Scratch} slices, kept alive by the open scratch, not by this attr.
 */
final class MapBatchAttr extends Attr {
    static final int IN_BATCH = 0;     // batch.in_batch (u64 pointer)
    static final int OUT_BATCH = 8;    // batch.out_batch (u64 pointer)
    static final int KEYS = 16;        // batch.keys (u64 pointer)
    static final int VALUES = 24;      // batch.values (u64 pointer)
    static final int COUNT = 32;       // batch.count (in: capacity, out: elements done)
    static final int MAP_FD = 36;      // batch.map_fd
    static final int ELEM_FLAGS = 40;  // batch.elem_flags (u64)
    static final int FLAGS = 48;       // batch.flags (u64)
    /** Ends after batch.flags. */
    static final int SIZE = 56;

    MapBatchAttr(Fd map) {
        super(SIZE);
        fd(MAP_FD, map);
    }

    /** In a slice of {@code scratch}, as {@link MapElemAttr}. */
    MapBatchAttr(Scratch scratch, Fd map) {
        super(scratch, SIZE);
        fd(MAP_FD, map);
    }

    MapBatchAttr inBatch(long m) {
        address(IN_BATCH, m);
        return this;
    }

    MapBatchAttr outBatch(long m) {
        address(OUT_BATCH, m);
        return this;
    }

    MapBatchAttr keys(long m) {
        address(KEYS, m);
        return this;
    }

    MapBatchAttr values(long m) {
        address(VALUES, m);
        return this;
    }

    MapBatchAttr count(int count) {
        u32(COUNT, count);
        return this;
    }

    int count() {
        return u32(COUNT);
    }

    MapBatchAttr elemFlags(long flags) {
        u64(ELEM_FLAGS, flags);
        return this;
    }
}

package dev.bpfunit.sys;


/**
 * The attributes of the {@code BPF_MAP_*_ELEM} commands, {@code BPF_MAP_GET_NEXT_KEY} and
 * {@code BPF_MAP_FREEZE}: a map, a key and a value (or next key) buffer, flags.
 * The key and value pointers are {@link Scratch} slices, kept alive by the open scratch, not by this attr.
 */
final class MapElemAttr extends Attr {
    static final int MAP_FD = 0;     // map_fd
    static final int KEY = 8;        // key (u64 pointer)
    static final int VALUE = 16;     // value (u64 pointer)
    static final int NEXT_KEY = 16;  // next_key (u64 pointer), union with value
    static final int FLAGS = 24;     // flags (u64)
    /** Ends after flags. */
    static final int SIZE = 32;

    MapElemAttr(Fd map) {
        super(SIZE);
        fd(MAP_FD, map);
    }

    /** In a slice of {@code scratch}: the per-element commands allocate nothing of their own. */
    MapElemAttr(Scratch scratch, Fd map) {
        super(scratch, SIZE);
        fd(MAP_FD, map);
    }

    MapElemAttr key(long key) {
        address(KEY, key);
        return this;
    }

    MapElemAttr value(long value) {
        address(VALUE, value);
        return this;
    }

    MapElemAttr nextKey(long nextKey) {
        address(NEXT_KEY, nextKey);
        return this;
    }

    MapElemAttr flags(long flags) {
        u64(FLAGS, flags);
        return this;
    }
}

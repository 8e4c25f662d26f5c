package dev.bpfunit.sys;

import com.sun.jna.Memory;

/**
 * The attributes of the {@code BPF_MAP_*_ELEM} commands, {@code BPF_MAP_GET_NEXT_KEY} and
 * {@code BPF_MAP_FREEZE}: a map, a key and a value (or next key) buffer, flags.
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

    MapElemAttr key(Memory key) {
        pointer(KEY, key);
        return this;
    }

    MapElemAttr value(Memory value) {
        pointer(VALUE, value);
        return this;
    }

    MapElemAttr nextKey(Memory nextKey) {
        pointer(NEXT_KEY, nextKey);
        return this;
    }

    MapElemAttr flags(long flags) {
        u64(FLAGS, flags);
        return this;
    }
}

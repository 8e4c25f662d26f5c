package dev.bpfunit.sys;

/** The attributes of {@code BPF_PROG/MAP/BTF/LINK_GET_FD_BY_ID} and {@code ..._GET_NEXT_ID}: an object id. */
final class GetFdByIdAttr extends Attr {
    static final int ID = 0;          // prog_id / map_id / btf_id / link_id (union with start_id)
    static final int NEXT_ID = 4;     // next_id
    static final int OPEN_FLAGS = 8;  // open_flags
    /** Ends after open_flags. */
    static final int SIZE = 12;

    GetFdByIdAttr(int id) {
        super(SIZE);
        u32(ID, id);
    }

    /** {@code next_id}, written by the kernel for the GET_NEXT_ID commands. */
    int nextId() {
        return u32(NEXT_ID);
    }
}

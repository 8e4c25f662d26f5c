package dev.bpfunit.sys;

import com.sun.jna.Memory;

/** The attributes of {@code BPF_OBJ_GET_INFO_BY_FD}: an fd and a {@code bpf_*_info} buffer. */
final class InfoAttr extends Attr {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    static final int BPF_FD = 0;    // info.bpf_fd
    static final int INFO_LEN = 4;  // info.info_len (in: buffer size, out: bytes written)
    static final int INFO = 8;      // info.info (u64 pointer)
    /** Ends after info.info. */
    static final int SIZE = 16;

    InfoAttr(Fd fd, Memory info) {
        super(SIZE);
        fd(BPF_FD, fd);
        pointer(INFO, info);
        u32(INFO_LEN, (int) info.size());
    }
}

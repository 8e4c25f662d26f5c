package dev.bpfunit.sys;

/** The attributes of {@code BPF_OBJ_PIN} and {@code BPF_OBJ_GET}: a bpffs path and an fd. */
final class ObjAttr extends Attr {
    static final int PATHNAME = 0;    // pathname (u64 pointer)
    static final int BPF_FD = 8;      // bpf_fd
    static final int FILE_FLAGS = 12; // file_flags
    static final int PATH_FD = 16;    // path_fd (with BPF_F_PATH_FD, Linux 6.5)
    /** Ends after file_flags; path_fd is not used. */
    static final int SIZE = 16;

    ObjAttr(String path) {
        super(SIZE);
        pointer(PATHNAME, cString(path));
    }

    ObjAttr bpfFd(Fd fd) {
        fd(BPF_FD, fd);
        return this;
    }
}

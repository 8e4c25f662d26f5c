package dev.bpfunit.sys;

/** The attributes of {@code BPF_RAW_TRACEPOINT_OPEN}: a tracepoint name and a program. */
final class RawTracepointAttr extends Attr {
    static final int NAME = 0;     // raw_tracepoint.name (u64 pointer)
    static final int PROG_FD = 8;  // raw_tracepoint.prog_fd
    /** Ends after raw_tracepoint.prog_fd; the 6.10 cookie is not used. */
    static final int SIZE = 12;

    RawTracepointAttr(String nameOrNull, Fd prog) {
        super(SIZE);
        pointer(NAME, nameOrNull == null ? null : cString(nameOrNull));
        fd(PROG_FD, prog);
    }
}

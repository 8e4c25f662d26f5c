package dev.bpfunit.sys;

/**
 * The attributes of {@code BPF_PROG_ATTACH}: which program to attach to which target, with which
 * attach type, for {@link Bpf#progAttach}.
 */
public final class ProgAttachAttr extends Attr {
    static final int TARGET_FD = 0;           // target_fd (union with target_ifindex)
    static final int ATTACH_BPF_FD = 4;       // attach_bpf_fd
    static final int ATTACH_TYPE = 8;         // attach_type
    static final int ATTACH_FLAGS = 12;       // attach_flags
    static final int REPLACE_BPF_FD = 16;     // replace_bpf_fd
    static final int RELATIVE_FD = 20;        // relative_fd (union with relative_id)
    static final int EXPECTED_REVISION = 24;  // expected_revision (u64)
    /** Ends after expected_revision. */
    static final int SIZE = 32;

    public ProgAttachAttr() {
        super(SIZE);
    }

    /** {@code target_fd}: the cgroup, map, netns or device to attach to (a raw number: probes pass -1). */
    public ProgAttachAttr targetFd(int fd) {
        u32(TARGET_FD, fd);
        return this;
    }

    /** {@code attach_bpf_fd}: the program (a raw number: probes pass -1). */
    public ProgAttachAttr attachBpfFd(int fd) {
        u32(ATTACH_BPF_FD, fd);
        return this;
    }

    /** {@code attach_type}: one of {@code enum bpf_attach_type}. */
    public ProgAttachAttr attachType(int type) {
        u32(ATTACH_TYPE, type);
        return this;
    }

    /** {@code attach_flags}: {@code BPF_F_ALLOW_OVERRIDE}, {@code BPF_F_ALLOW_MULTI}, ... */
    public ProgAttachAttr attachFlags(int flags) {
        u32(ATTACH_FLAGS, flags);
        return this;
    }

    int attachType() {
        return u32(ATTACH_TYPE);
    }
}

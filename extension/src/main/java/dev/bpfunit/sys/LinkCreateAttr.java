package dev.bpfunit.sys;

import java.util.Objects;

/**
 * The attributes of {@code BPF_LINK_CREATE}: which program to attach where, for
 * {@link Bpf#linkCreate}.
 *
 * <p>The target-specific part after {@code flags} is a union in the kernel: set only the setters that
 * belong to one kind of link ({@link #targetBtfId} for tracing and LSM, {@link #iterInfo} for
 * iterators, {@link #perfEventBpfCookie} for perf events, {@link #tracingCookie} with
 * {@link #targetBtfId} for fentry/fexit with a cookie).
 */
public final class LinkCreateAttr extends Attr {
    static final int PROG_FD = 0;                 // link_create.prog_fd
    static final int TARGET_FD = 4;               // link_create.target_fd (union with target_ifindex)
    static final int TARGET_IFINDEX = 4;          // link_create.target_ifindex
    static final int ATTACH_TYPE = 8;             // link_create.attach_type
    static final int FLAGS = 12;                  // link_create.flags
    static final int TARGET_BTF_ID = 16;          // link_create.target_btf_id (= tracing.target_btf_id)
    static final int ITER_INFO = 16;              // link_create.iter_info (u64 pointer)
    static final int ITER_INFO_LEN = 24;          // link_create.iter_info_len
    static final int PERF_EVENT_BPF_COOKIE = 16;  // link_create.perf_event.bpf_cookie
    static final int TRACING_COOKIE = 24;         // link_create.tracing.cookie
    /** Ends after link_create.tracing.cookie, the last field these setters write. */
    static final int SIZE = 32;

    private Fd prog;

    public LinkCreateAttr() {
        super(SIZE);
    }

    /** {@code prog_fd}: the program to attach. */
    public LinkCreateAttr progFd(Fd prog) {
        this.prog = Objects.requireNonNull(prog, "prog");
        fd(PROG_FD, prog);
        return this;
    }

    /** {@code target_fd}: the object to attach to (a cgroup, a netns, a program...). */
    public LinkCreateAttr targetFd(int fd) {
        u32(TARGET_FD, fd);
        return this;
    }

    /** {@code target_ifindex}: the device to attach to (XDP, tcx, netkit). */
    public LinkCreateAttr targetIfindex(int ifindex) {
        u32(TARGET_IFINDEX, ifindex);
        return this;
    }

    /** {@code attach_type}: one of {@code enum bpf_attach_type}. */
    public LinkCreateAttr attachType(int type) {
        u32(ATTACH_TYPE, type);
        return this;
    }

    /** {@code flags}. */
    public LinkCreateAttr flags(int flags) {
        u32(FLAGS, flags);
        return this;
    }

    /** {@code target_btf_id}: BTF id of the target function (tracing, LSM, freplace). */
    public LinkCreateAttr targetBtfId(int id) {
        u32(TARGET_BTF_ID, id);
        return this;
    }

    /** {@code iter_info} and {@code iter_info_len}: a {@code union bpf_iter_link_info}. */
    public LinkCreateAttr iterInfo(byte[] info) {
        pointer(ITER_INFO, nativeCopy(info));
        u32(ITER_INFO_LEN, info == null ? 0 : info.length);
        return this;
    }

    /** {@code perf_event.bpf_cookie}: the value {@code bpf_get_attach_cookie()} returns. */
    public LinkCreateAttr perfEventBpfCookie(long cookie) {
        u64(PERF_EVENT_BPF_COOKIE, cookie);
        return this;
    }

    /** {@code tracing.cookie}: the attach cookie of an fentry/fexit/fmod_ret link (Linux 6.2). */
    public LinkCreateAttr tracingCookie(long cookie) {
        u64(TRACING_COOKIE, cookie);
        return this;
    }

    Fd prog() {
        return prog;
    }

    int attachType() {
        return u32(ATTACH_TYPE);
    }
}

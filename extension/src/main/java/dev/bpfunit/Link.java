package dev.bpfunit;

import dev.bpfunit.sys.Fd;
import java.util.Objects;
import java.util.Optional;

/**
 * A program attached in the live kernel (a BPF link, or an older kind of attachment such as a perf event or a
 * netlink setting), detached by {@link #close()}.
 *
 * <p>A link belongs to the object whose program it attaches: closing the object detaches its links first, before
 * programs and maps are closed, so nothing stays attached after a test whatever happened. {@code close()} is
 * idempotent; closing a link early detaches the program and leaves the object loaded.
 */
public final class Link implements AutoCloseable {

    /** How an attachment that is not held by a single BPF link fd is undone. */
    @FunctionalInterface
    public interface Detach {
        void detach();
    }

    private final BpfProgram program;
    private final String target;
    private final Fd fd;
    private final Detach detach;
    private final BpfObject owner;
    private boolean closed;

    private Link(BpfProgram program, String target, Fd fd, Detach detach, BpfObject owner) {
        this.program = Objects.requireNonNull(program, "program");
        this.target = Objects.requireNonNull(target, "target");
        this.fd = fd;
        this.detach = detach;
        this.owner = owner;
    }

    /**
     * A link held by a kernel link fd ({@code BPF_LINK_CREATE}, {@code BPF_RAW_TRACEPOINT_OPEN}): closing the fd
     * detaches the program. Registered with {@code owner} (may be null) so that the object closes it first.
     */
    static Link ofFd(BpfProgram program, String target, Fd fd, BpfObject owner) {
        Link link = new Link(program, target, Objects.requireNonNull(fd, "fd"), null, owner);
        if (owner != null) {
            owner.register(link);
        }
        return link;
    }

    /**
     * An attachment undone by {@code detach} (and then by closing {@code fdOrNull}, e.g. a perf event fd), for
     * hooks older kernels attach without a BPF link. Registered with {@code owner} (may be null).
     */
    static Link of(BpfProgram program, String target, Fd fdOrNull, Detach detach, BpfObject owner) {
        Link link = new Link(program, target, fdOrNull, Objects.requireNonNull(detach, "detach"), owner);
        if (owner != null) {
            owner.register(link);
        }
        return link;
    }

    /** The attached program. */
    public BpfProgram program() {
        return program;
    }

    /** Where the program is attached, in words ({@code "tracepoint syscalls/sys_enter_openat"}). */
    public String target() {
        return target;
    }

    /** The link's file descriptor, when the kernel made a BPF link (or a perf event) for it. */
    Optional<Fd> fd() {
        return Optional.ofNullable(fd);
    }

    /**
     * The kernel's id of the BPF link, as {@code bpftool link show} lists it; empty for attachments that are not
     * BPF links (a perf event attached with an ioctl, per-CPU perf events) and once closed.
     */
    public synchronized java.util.OptionalInt id() {
        if (closed || fd == null) {
            return java.util.OptionalInt.empty();
        }
        try {
            return java.util.OptionalInt.of(dev.bpfunit.sys.Bpf.linkInfo(fd).id());
        } catch (dev.bpfunit.sys.BpfSyscallException e) {
            return java.util.OptionalInt.empty();    // not a BPF link: a perf event fd
        }
    }

    /** True until {@link #close()}. */
    public synchronized boolean isAttached() {
        return !closed;
    }

    /** Detaches the program; safe to call more than once. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (detach != null) {
                detach.detach();
            }
        } finally {
            if (fd != null) {
                fd.close();
            }
            if (owner != null) {
                owner.unregister(this);
            }
        }
    }

    @Override
    public String toString() {
        return "link of " + program.name() + " to " + target + (isAttached() ? "" : " (detached)");
    }
}

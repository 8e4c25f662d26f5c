package dev.bpfunit.sys;

import com.sun.jna.Native;
import dev.bpfunit.error.BpfException;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel file descriptor owned by bpfunit (a map, a program, a BTF object, a link), closed exactly
 * once.
 *
 * <p>{@link #close()} is idempotent and thread-safe. An {@code Fd} is never fd 0: {@link #adopt}
 * moves a 0 to the lowest free number above it, so that a 0 in a {@code bpf_attr} field always means
 * "none", as the kernel reads it. A {@link Cleaner} closes an {@code Fd} that became unreachable
 * without being closed, and logs a warning naming it: that is a backstop against leaks, not a way
 * to manage descriptors.
 */
public final class Fd implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(Fd.class.getName());

    private final String description;
    private final State state;
    private final Cleaner.Cleanable cleanable;
    /** The map's info, fetched once by {@link Bpf} to check buffer sizes; null until then or if no map. */
    volatile MapInfo mapInfo;

    private Fd(int raw, String description) {
        this.description = description;
        this.state = new State(raw, description);
        this.cleanable = CLEANER.register(this, state);
    }

    /**
     * Takes ownership of a descriptor returned by the kernel.
     *
     * @param raw the descriptor; a 0 is duplicated to a number of at least 1 and then closed
     * @param description what it is, e.g. {@code "map 'blocklist'"}, {@code "program 'xdp_fw'"} or
     *     {@code "BTF of xdp_fw.bpf.o"}; used in every message about it
     * @throws IllegalArgumentException if {@code raw} is negative
     * @throws BpfSyscallException if a 0 could not be duplicated (it is closed all the same)
     */
    public static Fd adopt(int raw, String description) {
        Objects.requireNonNull(description, "description");
        if (raw < 0) {
            throw new IllegalArgumentException("cannot adopt " + description + ": fd " + raw
                    + " is negative (a failed system call's result?)");
        }
        if (raw == 0) {
            int moved = Libc.fcntl(0, Libc.F_DUPFD_CLOEXEC, 1);
            int errno = Native.getLastError();
            Libc.close(0);
            if (moved < 0) {
                throw new BpfSyscallException("fcntl(F_DUPFD_CLOEXEC)", errno, description + " (fd 0)",
                        Hints.forSyscall(errno));
            }
            raw = moved;
        }
        return new Fd(raw, description);
    }

    /**
     * The descriptor number, for a {@code bpf_attr} field.
     *
     * @throws BpfException if this {@code Fd} is closed
     */
    public int raw() {
        int raw = state.raw.get();
        if (raw < 0) {
            throw new BpfException(description + " is closed");
        }
        return raw;
    }

    /** What this descriptor is, as given to {@link #adopt}. */
    public String description() {
        return description;
    }

    /**
     * A new descriptor for the same kernel object ({@code fcntl(F_DUPFD_CLOEXEC)}), closed
     * independently of this one.
     */
    public Fd dup(String description) {
        Objects.requireNonNull(description, "description");
        int copy = Libc.fcntl(raw(), Libc.F_DUPFD_CLOEXEC, 1);
        if (copy < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("fcntl(F_DUPFD_CLOEXEC)", errno, toString(), Hints.forSyscall(errno));
        }
        return new Fd(copy, description);
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return state.raw.get() < 0;
    }

    /** Closes the descriptor; later calls do nothing. */
    @Override
    public void close() {
        state.explicit = true;
        cleanable.clean();
    }

    /** The description and the number, e.g. {@code "map 'blocklist' (fd 7)"}, or {@code (closed)}. */
    @Override
    public String toString() {
        int raw = state.raw.get();
        return description + (raw < 0 ? " (closed)" : " (fd " + raw + ")");
    }

    /** The part the {@link Cleaner} runs: it must not refer to the {@code Fd} itself. */
    private static final class State implements Runnable {
        final AtomicInteger raw;
        final String description;
        volatile boolean explicit;

        State(int raw, String description) {
            this.raw = new AtomicInteger(raw);
            this.description = description;
        }

        @Override
        public void run() {
            int fd = raw.getAndSet(-1);
            if (fd < 0) {
                return;
            }
            if (!explicit) {
                LOG.log(System.Logger.Level.WARNING, "bpfunit: closing leaked " + description + " (fd " + fd
                        + "); close it when done");
            }
            Libc.close(fd);
        }
    }
}

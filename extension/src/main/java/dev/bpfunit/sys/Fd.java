package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>Every use of the number in a system call is guarded by a use count, as the JDK's channels do: a
 * call {@link #acquire() acquires} the descriptor first and releases it after, and {@link #close()}
 * marks it closed at once (later acquisitions fail with a {@link BpfException} saying it is closed)
 * but gives the number back to the kernel only when the last call in flight has returned. So a
 * call racing a close either fails cleanly or completes on this object, never on another object
 * that was given the same number. The guard is one compare-and-set each way; no lock.
 */
public final class Fd implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(Fd.class.getName());
    /**
     * The fds made by each thread and not closed yet (closed on whichever thread), for leak checks that other
     * threads' work cannot disturb: tests running in parallel each see only their own.
     */
    private static final ThreadLocal<Set<State>> OPEN_BY_THREAD =
            ThreadLocal.withInitial(ConcurrentHashMap::newKeySet);

    private final String description;
    private final State state;
    private final Cleaner.Cleanable cleanable;
    /** The map's info, fetched once by {@link Bpf} to check buffer sizes; null until then or if no map. */
    volatile MapInfo mapInfo;

    private Fd(int raw, String description) {
        this.description = description;
        Set<State> open = OPEN_BY_THREAD.get();
        this.state = new State(raw, description, open);
        open.add(state);
        this.cleanable = CLEANER.register(this, state);
    }

    /** Makes sure the cleaner's thread runs (it starts with this class), for {@link Namespaces#startHelperThreads}. */
    static void startCleaner() {
        Objects.requireNonNull(CLEANER);
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
            int moved = NativeCalls.INSTANCE.fcntl(0, Libc.F_DUPFD_CLOEXEC, 1);
            int errno = moved < 0 ? -moved : 0;
            NativeCalls.INSTANCE.close(0);
            if (moved < 0) {
                throw new BpfSyscallException("fcntl(F_DUPFD_CLOEXEC)", errno, description + " (fd 0)",
                        Hints.forSyscall(errno));
            }
            raw = moved;
        }
        return new Fd(raw, description);
    }

    /**
     * The descriptor number, for a {@code bpf_attr} field. Only valid while the {@code Fd} is
     * {@linkplain #acquire() acquired}: an attr field written with it is acquired around the call by
     * {@link Bpf}; elsewhere hold a {@link #use()}.
     *
     * @throws BpfException if this {@code Fd} is closed
     */
    public int raw() {
        if (state.uses.get() < 0) {
            throw closed();
        }
        return state.raw;
    }

    /**
     * Marks the descriptor in use until {@link #release()}, so that a concurrent {@link #close()}
     * does not give its number back to the kernel (which could hand it to another object) meanwhile.
     *
     * @throws BpfException if it is already closed
     */
    void acquire() {
        AtomicInteger uses = state.uses;
        while (true) {
            int n = uses.get();
            if (n < 0) {
                throw closed();
            }
            if (n == Integer.MAX_VALUE - 1) {
                throw new BpfException(description + " has too many concurrent users");
            }
            if (uses.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    /** Ends a use begun by {@link #acquire()}; the last use after a {@link #close()} closes the number. */
    void release() {
        if (state.uses.decrementAndGet() == State.CLOSED) {
            state.closeNumber();
        }
    }

    /**
     * Holds the descriptor in use for a number written somewhere the kernel will read it later (a map
     * value holding a program's fd, for instance): close the {@code Use} after that call.
     *
     * @throws BpfException if it is already closed
     */
    public Use use() {
        acquire();
        return new Use(this);
    }

    /** A use of an {@link Fd}'s number, begun by {@link Fd#use()} and ended, once, by {@link #close()}. */
    public static final class Use implements AutoCloseable {
        private final Fd fd;
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

        private Use(Fd fd) {
            this.fd = fd;
        }

        /** The descriptor number, valid until this use is closed. */
        public int raw() {
            return fd.state.raw;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                fd.release();
            }
        }
    }

    private BpfException closed() {
        return new BpfException(description + " is closed (fd " + state.raw + " was given back to the kernel, "
                + "or is being: was it closed by another thread while in use?)");
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
        acquire();
        int copy;
        int errno;
        try {
            copy = NativeCalls.INSTANCE.fcntl(state.raw, Libc.F_DUPFD_CLOEXEC, 1);
            errno = copy < 0 ? -copy : 0;
        } finally {
            release();
        }
        if (copy < 0) {
            throw new BpfSyscallException("fcntl(F_DUPFD_CLOEXEC)", errno, toString(), Hints.forSyscall(errno));
        }
        return new Fd(copy, description);
    }

    /**
     * How many {@code Fd}s the calling thread made that are not closed yet (wherever they are closed). Unlike a
     * count of {@code /proc/self/fd}, it is not disturbed by tests running on other threads at the same time.
     */
    public static int openedByThisThread() {
        return OPEN_BY_THREAD.get().size();
    }

    /**
     * What the calling thread made and has not closed yet, as {@code "map 'blocklist' (fd 7)"}, in no particular
     * order: what a leak check names when {@link #openedByThisThread()} did not come back to where it was.
     */
    public static List<String> openByThisThread() {
        List<String> open = new ArrayList<>();
        for (State s : OPEN_BY_THREAD.get()) {
            open.add(s.description + " (fd " + s.raw + ")");
        }
        return open;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return state.uses.get() < 0;
    }

    /**
     * Closes the descriptor; later calls do nothing. New uses fail from now on; if calls are in flight
     * on other threads, the number is given back to the kernel when the last of them returns.
     */
    @Override
    public void close() {
        state.explicit = true;
        cleanable.clean();
    }

    /** The description and the number, e.g. {@code "map 'blocklist' (fd 7)"}, or {@code (closed)}. */
    @Override
    public String toString() {
        return description + (state.uses.get() < 0 ? " (closed)" : " (fd " + state.raw + ")");
    }

    /** The part the {@link Cleaner} runs: it must not refer to the {@code Fd} itself. */
    private static final class State implements Runnable {
        /** The sign bit of {@link #uses}: set once by close, never cleared. */
        static final int CLOSED = Integer.MIN_VALUE;

        final int raw;
        final String description;
        /** The number of calls using the number now, with {@link #CLOSED} set once it is closed. */
        final AtomicInteger uses = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicBoolean numberClosed = new java.util.concurrent.atomic.AtomicBoolean();
        volatile boolean explicit;
        /** The open fds of the thread that made this one. */
        final Set<State> openByCreator;

        State(int raw, String description, Set<State> openByCreator) {
            this.raw = raw;
            this.description = description;
            this.openByCreator = openByCreator;
        }

        @Override
        public void run() {
            while (true) {
                int n = uses.get();
                if (n < 0) {
                    return;
                }
                if (uses.compareAndSet(n, n | CLOSED)) {
                    openByCreator.remove(this);
                    if (!explicit) {
                        LOG.log(System.Logger.Level.WARNING, "bpfunit: closing leaked " + description + " (fd "
                                + raw + "); close it when done");
                    }
                    if (n == 0) {
                        closeNumber();
                    }
                    return;
                }
            }
        }

        /** Gives the number back to the kernel, once, when closed and no call uses it. */
        void closeNumber() {
            if (numberClosed.compareAndSet(false, true)) {
                NativeCalls.INSTANCE.close(raw);
            }
        }
    }
}

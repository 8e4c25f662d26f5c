package dev.bpfunit.sys;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Network namespaces of the calling thread: {@code unshare(CLONE_NEWNET)} moves only the calling thread into a new,
 * anonymous namespace (nothing is mounted under {@code /var/run/netns}, so it disappears with the last thread,
 * socket or descriptor that holds it, even when the JVM is killed).
 */
public final class Namespaces {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }


    private Namespaces() {
    }

    /**
     * Starts, on the calling thread, the JVM-wide helper threads bpfunit's calls start the first time they are
     * needed: {@link Fd}'s cleaner and JNA's memory cleaner. A new thread starts in its creator's network namespace,
     * so one started by a thread that has entered a test's namespace would keep that namespace alive as long as the
     * JVM runs. Call it before a thread enters another namespace; later calls do nothing.
     */
    public static void startHelperThreads() {
        Fd.startCleaner();
        try (com.sun.jna.Memory m = new com.sun.jna.Memory(1)) {
            m.setByte(0, (byte) 0);
        }
    }

    /** Moves the calling thread into a new network namespace ({@code unshare(CLONE_NEWNET)}). */
    public static void unshareNetwork() {
        if (NetLibc.unshare(NetLibc.CLONE_NEWNET) < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("unshare(CLONE_NEWNET)", errno, "thread " + Thread.currentThread().getName(),
                    errno == Errno.EPERM.number() ? "creating a network namespace needs CAP_SYS_ADMIN"
                            : Hints.forSyscall(errno));
        }
    }

    /** A descriptor of the calling thread's network namespace ({@code /proc/thread-self/ns/net}). */
    public static Fd currentNetwork(String description) {
        int raw = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (raw < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("open(/proc/thread-self/ns/net)", errno, description, Hints.forSyscall(errno));
        }
        return Fd.adopt(raw, description);
    }

    /** Moves the calling thread into the network namespace {@code ns} ({@code setns(CLONE_NEWNET)}). */
    public static void enterNetwork(Fd ns) {
        if (NetLibc.setns(ns.raw(), NetLibc.CLONE_NEWNET) < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("setns(CLONE_NEWNET)", errno, ns.toString(), Hints.forSyscall(errno));
        }
    }

    /** The inode number that names the calling thread's network namespace (what {@code lsns} shows). */
    public static long currentNetworkInode() {
        return inode(Path.of("/proc/thread-self/ns/net"));
    }

    /** The inode number of a namespace file such as {@code /proc/<pid>/task/<tid>/ns/net}. */
    public static long inode(Path nsFile) {
        try {
            Object key = Files.readAttributes(nsFile, BasicFileAttributes.class).fileKey();
            // fileKey() is "(dev=...,ino=N)" on Linux.
            String s = String.valueOf(key);
            int i = s.indexOf("ino=");
            return Long.parseLong(s.substring(i + 4, s.indexOf(')', i)));
        } catch (IOException | RuntimeException e) {
            throw new dev.bpfunit.error.BpfException("cannot read the inode of " + nsFile + ": " + e.getMessage(), e);
        }
    }

    /** The index of the device {@code name} in the calling thread's network namespace, or 0 if there is none. */
    public static int ifindex(String name) {
        return NetLibc.if_nametoindex(name);
    }
}

package dev.bpfunit.sys;

import com.sun.jna.Native;
import java.util.Objects;

/**
 * System calls a test makes on purpose to fire a tracepoint or probe in its own thread ({@code openat},
 * {@code getpid}, {@code write}), and the ids the kernel knows the test by (tgid, thread id).
 */
public final class Syscalls {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }


    private Syscalls() {
    }

    /** {@code getpid(2)}: the JVM's process id (the kernel's tgid). */
    public static int getpid() {
        return Libc.getpid();
    }

    /** {@code gettid(2)}: the calling thread's id (the kernel's pid of this task). */
    public static int gettid() {
        return Libc.gettid();
    }

    /**
     * {@code openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC)} (glibc's {@code open} is {@code openat}), then closes the
     * fd; returns the errno when the open failed (a missing file still fires the syscall tracepoints), else 0.
     */
    public static int openat(String path) {
        Objects.requireNonNull(path, "path");
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) {
            return Native.getLastError();
        }
        Libc.close(fd);
        return 0;
    }

    /** {@code write(2)} of {@code data} to an fd the caller owns; the bytes written. */
    public static long write(Fd fd, byte[] data) {
        Objects.requireNonNull(fd, "fd");
        long r = Libc.write(fd.raw(), data, data.length);
        int errno = r < 0 ? Native.getLastError() : 0;
        java.lang.ref.Reference.reachabilityFence(fd);
        if (r < 0) {
            throw new BpfSyscallException("write", errno, fd.toString(), "");
        }
        return r;
    }
}

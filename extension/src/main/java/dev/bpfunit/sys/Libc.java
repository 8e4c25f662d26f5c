package dev.bpfunit.sys;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The few libc functions bpfunit calls, bound with JNA direct mapping; nothing outside this package
 * touches them. The hot ones ({@code syscall}, {@code mmap}, {@code munmap}, {@code ioctl}, {@code close},
 * {@code fcntl}) are called through {@link NativeCalls}, which uses these on Java before 22 (or when forced).
 *
 * <p>Every function returns the raw C result; a caller that sees the failure value reads
 * {@link Native#getLastError()} at once, on the same thread, before any other native call.
 * {@code syscall} and {@code fcntl} are variadic in C: every argument is passed as a 64-bit value,
 * which is how the x86_64 and aarch64 Linux ABIs pass variadic integer arguments.
 */
final class Libc {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    static final int F_GETFD = 1;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 02000000;

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;

    /** Length of each {@code struct utsname} field on Linux, NUL included. */
    static final int UTSNAME_FIELD = 65;

    static {
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    private Libc() {
    }

    /** {@code syscall(2)} with three arguments (the pointer one as an address). */
    static native long syscall(long number, long arg1, long arg2, long arg3);

    static native int fcntl(int fd, int cmd, long arg);

    static native int close(int fd);

    /** {@code mmap(2)}: the address, or -1 ({@code MAP_FAILED}). */
    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    static native int munmap(long addr, long length);

    static native int uname(Pointer buf);

    static native int getpagesize();

    /** {@code ioctl(2)} with an integer argument (variadic in C: passed as a 64-bit value). */
    static native int ioctl(int fd, long request, long arg);

    /** {@code syscall(2)} with five arguments, e.g. {@code perf_event_open}: attr address, pid, cpu, group fd, flags. */
    static native long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    static native int getpid();

    /** glibc 2.30+. */
    static native int gettid();

    static native long write(int fd, byte[] buf, long count);

    static native int chroot(String path);

    static native int chdir(String path);

    /** {@code open(2)} with the mode argument left out (never creates a file). */
    static native int open(String path, int flags);

    /** The {@code perf_event_open(2)} system call number of this JVM's architecture. */
    static long perfEventOpenSyscallNumber() {
        String arch = System.getProperty("os.arch", "");
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 298;
            case "aarch64":
            case "arm64":
                return 241;
            default:
                throw new dev.bpfunit.error.BpfException("perf_event_open(2) is not supported on architecture '" + arch
                        + "': bpfunit knows the system call number for x86_64 and aarch64 only");
        }
    }

    /** The {@code bpf(2)} system call number of this JVM's architecture. */
    static long bpfSyscallNumber() {
        String arch = System.getProperty("os.arch", "");
        switch (arch) {
            case "amd64":
            case "x86_64":
                return 321;
            case "aarch64":
            case "arm64":
                return 280;
            default:
                throw new dev.bpfunit.error.BpfException("bpf(2) is not supported on architecture '" + arch
                        + "': bpfunit knows the system call number for x86_64 and aarch64 only");
        }
    }
}

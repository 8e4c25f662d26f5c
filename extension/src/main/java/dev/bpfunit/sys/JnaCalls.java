package dev.bpfunit.sys;

import com.sun.jna.Native;

/**
 * {@link NativeCalls} through JNA direct mapping ({@link Libc}): errno is what JNA saved right after the call,
 * read with {@link Native#getLastError()} on the same thread.
 */
final class JnaCalls extends NativeCalls {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }


    @Override
    String name() {
        return "jna";
    }

    @Override
    long syscall(long number, long a1, long a2, long a3) {
        long r = Libc.syscall(number, a1, a2, a3);
        return r < 0 ? -Native.getLastError() : r;
    }

    @Override
    long syscall(long number, long a1, long a2, long a3, long a4, long a5) {
        long r = Libc.syscall(number, a1, a2, a3, a4, a5);
        return r < 0 ? -Native.getLastError() : r;
    }

    @Override
    long mmap(long length, int prot, int flags, int fd, long offset) {
        long p = Libc.mmap(0, length, prot, flags, fd, offset);
        return p == -1 ? -Native.getLastError() : p;
    }

    @Override
    int munmap(long address, long length) {
        return orErrno(Libc.munmap(address, length));
    }

    @Override
    int ioctl(int fd, long request, long arg) {
        return orErrno(Libc.ioctl(fd, request, arg));
    }

    @Override
    int close(int fd) {
        return orErrno(Libc.close(fd));
    }

    @Override
    int fcntl(int fd, int cmd, long arg) {
        return orErrno(Libc.fcntl(fd, cmd, arg));
    }

    private static int orErrno(int r) {
        return r < 0 ? -Native.getLastError() : r;
    }
}

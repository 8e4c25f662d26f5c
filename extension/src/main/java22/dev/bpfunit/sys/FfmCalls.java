package dev.bpfunit.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@link NativeCalls} through the Foreign Function and Memory API (Java 22+): one downcall handle per libc
 * function, each capturing errno in the same transition ({@code Linker.Option.captureCallState("errno")}) into a
 * small per-thread segment. Compiled with {@code --release 22} into {@code META-INF/versions/22} of the extension
 * jar; on older runtimes the class does not exist and {@link NativeCalls#select} picks JNA.
 *
 * <p>{@code syscall}, {@code ioctl} and {@code fcntl} are variadic in C and are linked as such
 * ({@code firstVariadicArg}); every variadic argument is a 64-bit integer, as the x86_64 and aarch64 ABIs pass
 * integers and pointers. Pointers are passed and returned as {@code long}s: the memory is bpfunit's own native
 * memory, and no {@link MemorySegment} is made per call.
 */
final class FfmCalls extends NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPTION = Linker.Option.captureCallState("errno");

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private static final MethodHandle SYSCALL3 = handle("syscall", FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle SYSCALL5 = handle("syscall",
            FunctionDescriptor.of(LONG, LONG, LONG, LONG, LONG, LONG, LONG), Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = handle("mmap", FunctionDescriptor.of(LONG, LONG, LONG, INT, INT, INT, LONG));
    private static final MethodHandle MUNMAP = handle("munmap", FunctionDescriptor.of(INT, LONG, LONG));
    private static final MethodHandle IOCTL = handle("ioctl", FunctionDescriptor.of(INT, INT, LONG, LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle FCNTL = handle("fcntl", FunctionDescriptor.of(INT, INT, INT, LONG),
            Linker.Option.firstVariadicArg(2));

    /** Each thread's errno capture buffer, freed with the thread's last reference to it. */
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CAPTURE));

    private static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        SymbolLookup libc = LINKER.defaultLookup();
        MemorySegment symbol = libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "libc has no '" + name + "' (bpfunit's FFM binding needs glibc or musl on Linux)"));
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = ERRNO_OPTION;
        return LINKER.downcallHandle(symbol, descriptor, all);
    }

    FfmCalls() {
    }

    @Override
    String name() {
        return "ffm";
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    @Override
    long syscall(long number, long a1, long a2, long a3) {
        MemorySegment state = STATE.get();
        long r;
        try {
            r = (long) SYSCALL3.invokeExact(state, number, a1, a2, a3);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    @Override
    long syscall(long number, long a1, long a2, long a3, long a4, long a5) {
        MemorySegment state = STATE.get();
        long r;
        try {
            r = (long) SYSCALL5.invokeExact(state, number, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    @Override
    long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment state = STATE.get();
        long p;
        try {
            p = (long) MMAP.invokeExact(state, 0L, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return p == -1L ? -errno(state) : p;
    }

    @Override
    int munmap(long address, long length) {
        MemorySegment state = STATE.get();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    @Override
    int ioctl(int fd, long request, long arg) {
        MemorySegment state = STATE.get();
        int r;
        try {
            r = (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    @Override
    int close(int fd) {
        MemorySegment state = STATE.get();
        int r;
        try {
            r = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    @Override
    int fcntl(int fd, int cmd, long arg) {
        MemorySegment state = STATE.get();
        int r;
        try {
            r = (int) FCNTL.invokeExact(state, fd, cmd, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r < 0 ? -errno(state) : r;
    }

    /** A downcall throws only what the JVM throws (an Error); anything else is a bug to surface, not hide. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            return e;
        }
        return new IllegalStateException("native call failed unexpectedly", t);
    }
}

package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;

/**
 * The native calls of bpfunit's hot paths ({@code bpf(2)} and {@code perf_event_open(2)} through {@code syscall},
 * {@code mmap}, {@code munmap}, {@code ioctl}, {@code close}, {@code fcntl}), bound either with JNA ({@link JnaCalls},
 * any Java) or with the Foreign Function and Memory API ({@code FfmCalls}, Java 22 and later, compiled into the
 * extension jar's {@code META-INF/versions/22}).
 *
 * <p>Each call returns the C result, or {@code -errno} where C returns its failure value, with errno read in the
 * same native transition: callers never read errno themselves. Addresses are passed and returned as {@code long}s.
 *
 * <p>Which binding is used is decided once per JVM by {@link #select}: the FFM one on Java 22+, JNA before; the
 * system property {@value #PROPERTY} ({@code jna} or {@code ffm}) forces either. A wrong value, or {@code ffm} on a
 * runtime without it, fails every call with a {@link BpfException} saying what to change.
 */
abstract class NativeCalls {
    /** The system property that forces a binding: {@code jna} or {@code ffm}; unset: ffm on Java 22+, else jna. */
    static final String PROPERTY = "bpfunit.native";
    /** The first Java release whose FFM API ({@code java.lang.foreign}) is final (JEP 454). */
    static final int FFM_RELEASE = 22;
    /** The class compiled with {@code --release 22} into {@code META-INF/versions/22} of the extension jar. */
    static final String FFM_CLASS = "dev.bpfunit.sys.FfmCalls";

    private static final System.Logger LOG = System.getLogger(NativeCalls.class.getName());

    /** The binding of this JVM. */
    static final NativeCalls INSTANCE = select(System.getProperty(PROPERTY, ""), Runtime.version().feature());

    /** {@code "jna"} or {@code "ffm"}. */
    abstract String name();

    /** {@code syscall(number, a1, a2, a3)}: the result, or {@code -errno}. */
    abstract long syscall(long number, long a1, long a2, long a3);

    /** {@code syscall(number, a1 .. a5)}: the result, or {@code -errno}. */
    abstract long syscall(long number, long a1, long a2, long a3, long a4, long a5);

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}: the address, or {@code -errno}. */
    abstract long mmap(long length, int prot, int flags, int fd, long offset);

    /** {@code munmap(address, length)}: 0, or {@code -errno}. */
    abstract int munmap(long address, long length);

    /** {@code ioctl(fd, request, arg)} with an integer argument: the result, or {@code -errno}. */
    abstract int ioctl(int fd, long request, long arg);

    /** {@code close(fd)}: 0, or {@code -errno}. */
    abstract int close(int fd);

    /** {@code fcntl(fd, cmd, arg)} with an integer argument: the result, or {@code -errno}. */
    abstract int fcntl(int fd, int cmd, long arg);

    /**
     * The binding for a value of {@value #PROPERTY} ({@code ""} when unset) on Java {@code feature}; never throws:
     * a binding that cannot be had is a {@link Failed} one whose every call throws the reason.
     */
    static NativeCalls select(String forced, int feature) {
        switch (forced.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "jna":
                return new JnaCalls();
            case "ffm":
                if (feature < FFM_RELEASE) {
                    return new Failed(PROPERTY + "=ffm needs Java " + FFM_RELEASE + " or later (the Foreign Function "
                            + "and Memory API); this JVM is Java " + feature + ": run on Java " + FFM_RELEASE
                            + "+ or set " + PROPERTY + "=jna (or leave it unset)");
                }
                try {
                    return ffm();
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    return new Failed(PROPERTY + "=ffm: the FFM binding cannot be used (" + e + "): put bpfunit's "
                            + "multi-release jar on the class path unchanged (a shaded jar needs 'Multi-Release: "
                            + "true' in its manifest), run with --enable-native-access=ALL-UNNAMED, or set "
                            + PROPERTY + "=jna");
                }
            case "":
                if (feature < FFM_RELEASE) {
                    return new JnaCalls();
                }
                try {
                    return ffm();
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "bpfunit: Java " + feature + " but the FFM binding cannot "
                            + "be used (" + e + "); using JNA. Is bpfunit's jar on the class path as a multi-release "
                            + "jar (a shaded jar needs 'Multi-Release: true')? Set " + PROPERTY + "=jna to choose "
                            + "JNA and silence this.");
                    return new JnaCalls();
                }
            default:
                return new Failed("unknown " + PROPERTY + " '" + forced + "': use jna or ffm, or leave it unset "
                        + "(ffm on Java " + FFM_RELEASE + "+, jna before)");
        }
    }

    private static NativeCalls ffm() throws ReflectiveOperationException {
        return (NativeCalls) Class.forName(FFM_CLASS).getDeclaredConstructor().newInstance();
    }

    /** A binding that could not be had: every call throws why. */
    static final class Failed extends NativeCalls {
        private final String reason;

        Failed(String reason) {
            this.reason = reason;
        }

        private BpfException fail() {
            return new BpfException(reason);
        }

        @Override
        String name() {
            return "none (" + reason + ")";
        }

        @Override
        long syscall(long number, long a1, long a2, long a3) {
            throw fail();
        }

        @Override
        long syscall(long number, long a1, long a2, long a3, long a4, long a5) {
            throw fail();
        }

        @Override
        long mmap(long length, int prot, int flags, int fd, long offset) {
            throw fail();
        }

        @Override
        int munmap(long address, long length) {
            throw fail();
        }

        @Override
        int ioctl(int fd, long request, long arg) {
            throw fail();
        }

        @Override
        int close(int fd) {
            throw fail();
        }

        @Override
        int fcntl(int fd, int cmd, long arg) {
            throw fail();
        }
    }
}

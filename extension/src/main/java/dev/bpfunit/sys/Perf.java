package dev.bpfunit.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import dev.bpfunit.error.BpfException;
import java.util.Objects;

/**
 * The {@code perf_event_open(2)} side of {@code PERF_EVENT_ARRAY} maps: one BPF output event per CPU,
 * its ring buffer mapped into this process, enabled with {@code PERF_EVENT_IOC_ENABLE}.
 *
 * <p>The mapping is one metadata page ({@code struct perf_event_mmap_page}) followed by a power of two
 * data pages; see {@link #DATA_HEAD} and friends for the fields a reader needs.
 */
public final class Perf {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    /** {@code PERF_FLAG_FD_CLOEXEC}. */
    static final long PERF_FLAG_FD_CLOEXEC = 1L << 3;
    /** {@code PERF_EVENT_IOC_ENABLE}: {@code _IO('$', 0)}. */
    static final long PERF_EVENT_IOC_ENABLE = 0x2400;
    /** {@code PERF_EVENT_IOC_DISABLE}: {@code _IO('$', 1)}. */
    static final long PERF_EVENT_IOC_DISABLE = 0x2401;
    /** {@code PERF_EVENT_IOC_SET_BPF}: {@code _IOW('$', 8, __u32)}, the program fd as argument. */
    static final long PERF_EVENT_IOC_SET_BPF = 0x40042408;
    /** Where the kernel lists its PMUs: each has a {@code type} file and, for probes, {@code format/retprobe}. */
    static final java.nio.file.Path EVENT_SOURCES = java.nio.file.Path.of("/sys/bus/event_source/devices");

    /** Offset of {@code data_head} in {@code struct perf_event_mmap_page}: where the kernel wrote up to. */
    public static final int DATA_HEAD = 1024;
    /** Offset of {@code data_tail}: where the reader has read up to (written by the reader). */
    public static final int DATA_TAIL = 1032;
    /** Offset of {@code data_offset}: where the data pages start in the mapping. */
    public static final int DATA_OFFSET = 1040;
    /** Offset of {@code data_size}: bytes of data pages. */
    public static final int DATA_SIZE = 1048;

    /** {@code PERF_RECORD_LOST}: the kernel dropped samples because the buffer was full. */
    public static final int PERF_RECORD_LOST = 2;
    /** {@code PERF_RECORD_SAMPLE}: with {@code PERF_SAMPLE_RAW}, a u32 size and the raw bytes. */
    public static final int PERF_RECORD_SAMPLE = 9;

    private Perf() {
    }

    /**
     * Opens a BPF output event on {@code cpu} for any process ({@code pid -1}).
     *
     * @throws BpfSyscallException with the errno when the kernel refuses (offline CPU: ENODEV/EINVAL)
     */
    public static Fd openBpfOutput(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu must not be negative, got " + cpu);
        }
        PerfEventAttr attr = new PerfEventAttr();
        long r = NativeCalls.INSTANCE.syscall(Libc.perfEventOpenSyscallNumber(), Pointer.nativeValue(attr.pointer()),
                -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        int errno = r < 0 ? (int) -r : 0;
        Reference.reachabilityFence(attr);
        String subject = "BPF output event on CPU " + cpu;
        if (r < 0) {
            throw new BpfSyscallException("perf_event_open", errno, subject, perfHint(errno));
        }
        return Fd.adopt((int) r, subject);
    }

    /**
     * {@code perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC)} for an event a BPF program attaches to;
     * {@code subject} names it in errors and in the fd's description.
     */
    public static Fd open(PerfEventAttr attr, int pid, int cpu, String subject) {
        Objects.requireNonNull(attr, "attr");
        long r = NativeCalls.INSTANCE.syscall(Libc.perfEventOpenSyscallNumber(), Pointer.nativeValue(attr.pointer()),
                pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        int errno = r < 0 ? (int) -r : 0;
        Reference.reachabilityFence(attr);
        if (r < 0) {
            throw new BpfSyscallException("perf_event_open", errno, subject, probeHint(errno));
        }
        return Fd.adopt((int) r, subject);
    }

    /** {@code ioctl(PERF_EVENT_IOC_SET_BPF)}: attaches a program to the event the old way (before BPF links). */
    public static void setBpf(Fd event, Fd prog) {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(prog, "prog");
        int r = NativeCalls.INSTANCE.ioctl(event.raw(), PERF_EVENT_IOC_SET_BPF, prog.raw());
        int errno = r < 0 ? -r : 0;
        Reference.reachabilityFence(event);
        Reference.reachabilityFence(prog);
        if (r < 0) {
            throw new BpfSyscallException("ioctl(PERF_EVENT_IOC_SET_BPF)", errno, prog + " on " + event,
                    Errno.of(errno) == Errno.EEXIST ? "the event already has a program" : "");
        }
    }

    /** {@code ioctl(PERF_EVENT_IOC_DISABLE)}: stops the event (closing its fd also does). */
    public static void disable(Fd event) {
        Objects.requireNonNull(event, "event");
        int r = NativeCalls.INSTANCE.ioctl(event.raw(), PERF_EVENT_IOC_DISABLE, 0);
        int errno = r < 0 ? -r : 0;
        Reference.reachabilityFence(event);
        if (r < 0) {
            throw new BpfSyscallException("ioctl(PERF_EVENT_IOC_DISABLE)", errno, event.toString(), "");
        }
    }

    /**
     * The {@code type} of a dynamic PMU ({@code "kprobe"}, {@code "uprobe"}) from
     * {@code /sys/bus/event_source/devices/<pmu>/type}, or empty when the kernel has none.
     */
    public static java.util.OptionalInt pmuType(String pmu) {
        java.nio.file.Path type = EVENT_SOURCES.resolve(pmu).resolve("type");
        try {
            return java.util.OptionalInt.of(Integer.parseInt(java.nio.file.Files.readString(type).trim()));
        } catch (java.io.IOException | NumberFormatException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * The {@code config} bit that makes a {@code kprobe}/{@code uprobe} PMU event a return probe, from
     * {@code format/retprobe} ({@code "config:0"}).
     */
    public static long retprobeBit(String pmu) {
        java.nio.file.Path format = EVENT_SOURCES.resolve(pmu).resolve("format").resolve("retprobe");
        try {
            String f = java.nio.file.Files.readString(format).trim();
            if (!f.startsWith("config:")) {
                throw new BpfException(format + " says '" + f + "', not config:<bit>");
            }
            return 1L << Integer.parseInt(f.substring("config:".length()));
        } catch (java.io.IOException | NumberFormatException e) {
            throw new BpfException("cannot read the retprobe bit of the " + pmu + " PMU from " + format + ": " + e, e);
        }
    }

    private static String probeHint(int errno) {
        switch (Errno.of(errno)) {
            case EACCES:
            case EPERM:
                return "needs root or CAP_PERFMON, or a lower /proc/sys/kernel/perf_event_paranoid";
            case ENOENT:
                return "no such function, tracepoint or file";
            case EINVAL:
                return "the kernel refused the event's settings (a wrong offset, pid or symbol?)";
            default:
                return "";
        }
    }

    /** {@code ioctl(PERF_EVENT_IOC_ENABLE)}: starts the event. */
    public static void enable(Fd event) {
        Objects.requireNonNull(event, "event");
        int r;
        int errno;
        event.acquire();
        try {
            r = NativeCalls.INSTANCE.ioctl(event.raw(), PERF_EVENT_IOC_ENABLE, 0);
            errno = r < 0 ? -r : 0;
        } finally {
            event.release();
        }
        Reference.reachabilityFence(event);
        if (r < 0) {
            throw new BpfSyscallException("ioctl(PERF_EVENT_IOC_ENABLE)", errno, event.toString(), "");
        }
    }

    /**
     * Maps the event's buffer read-write (the reader writes {@code data_tail}): one metadata page and
     * {@code dataPages} data pages, a power of two.
     */
    public static MappedRegion mmap(Fd event, int dataPages) {
        Objects.requireNonNull(event, "event");
        if (dataPages <= 0 || Integer.bitCount(dataPages) != 1) {
            throw new IllegalArgumentException("perf buffer data pages must be a power of two, got " + dataPages);
        }
        long size = (long) (dataPages + 1) * SystemInfo.pageSize();
        long p;
        event.acquire();
        try {
            p = NativeCalls.INSTANCE.mmap(size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, event.raw(), 0);
        } finally {
            event.release();
        }
        Reference.reachabilityFence(event);
        int errno = p < 0 ? (int) -p : 0;
        if (p < 0) {
            throw new BpfSyscallException("mmap", errno, event.toString(), Errno.of(errno) == Errno.EPERM
                    ? "perf buffers count against perf_event_mlock_kb; lower the page count or raise "
                            + "/proc/sys/kernel/perf_event_mlock_kb" : "");
        }
        return new MappedRegion(p, size, true, event.toString());
    }

    private static String perfHint(int errno) {
        switch (Errno.of(errno)) {
            case EACCES:
            case EPERM:
                return "needs root or CAP_PERFMON, or a lower /proc/sys/kernel/perf_event_paranoid";
            case ENODEV:
            case EINVAL:
                return "the CPU is offline or does not exist";
            case ENOENT:
                return "the kernel has no PERF_COUNT_SW_BPF_OUTPUT software event";
            default:
                return "";
        }
    }
}

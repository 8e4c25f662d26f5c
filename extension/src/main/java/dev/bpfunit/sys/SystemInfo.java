package dev.bpfunit.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Facts about the running kernel and process that BPF work depends on: possible CPUs (the size of
 * per-CPU values), the kernel version, and whether this process may use {@code bpf(2)}.
 */
public final class SystemInfo {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    static final Path POSSIBLE_CPUS = Path.of("/sys/devices/system/cpu/possible");
    static final Path PROC_STATUS = Path.of("/proc/self/status");
    static final int CAP_SYS_ADMIN = 21;
    static final int CAP_BPF = 39;
    private static final Pattern RELEASE = Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private static volatile int[] possibleCpus;
    private static volatile int pageSize;

    private SystemInfo() {
    }

    /**
     * How bpfunit makes its native calls in this JVM: {@code "ffm"} (the Foreign Function and Memory API, Java 22+),
     * {@code "jna"} (before Java 22, or with {@code -Dbpfunit.native=jna}), or {@code "none (...)"} with the reason
     * when the system property {@code bpfunit.native} asks for something this JVM cannot do.
     */
    public static String nativeBinding() {
        return NativeCalls.INSTANCE.name();
    }

    /** The possible CPUs, from {@code /sys/devices/system/cpu/possible} (e.g. {@code 0-3,5}). */
    public static int[] possibleCpus() {
        int[] cpus = possibleCpus;
        if (cpus == null) {
            cpus = parseCpuList(read(POSSIBLE_CPUS).trim());
            possibleCpus = cpus;
        }
        return cpus.clone();
    }

    /** The online CPUs now, from {@code /sys/devices/system/cpu/online}: where per-CPU perf events can be opened. */
    public static int[] onlineCpus() {
        return parseCpuList(read(java.nio.file.Path.of("/sys/devices/system/cpu/online")).trim());
    }

    /** Time since boot in nanoseconds, from {@code /proc/uptime} (10 ms resolution). */
    public static long uptimeNs() {
        String up = read(java.nio.file.Path.of("/proc/uptime")).trim().split("\\s+")[0];
        return (long) (Double.parseDouble(up) * 1e9);
    }

    /** The ids of this process's threads now, from {@code /proc/self/task}. */
    public static java.util.Set<Integer> threadIds() {
        java.util.Set<Integer> tids = new java.util.HashSet<>();
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            s.forEach(p -> tids.add(Integer.parseInt(p.getFileName().toString())));
        } catch (java.io.IOException | NumberFormatException e) {
            throw new dev.bpfunit.error.BpfException("cannot list this process's threads in /proc/self/task: " + e, e);
        }
        return tids;
    }

    /** The size of a memory page ({@code getpagesize()}), the unit of ring buffer and perf buffer mappings. */
    public static int pageSize() {
        int size = pageSize;
        if (size == 0) {
            size = Libc.getpagesize();
            pageSize = size;
        }
        return size;
    }

    /**
     * The number of possible CPUs, which sizes per-CPU map values: the kernel copies one slot per
     * possible CPU ({@code num_possible_cpus()}, the weight of the mask, as libbpf counts it).
     */
    public static int possibleCpuCount() {
        return possibleCpus().length;
    }

    /** {@link #totalMemory()} once read (0: not yet, or unreadable). */
    private static volatile long totalMemory;

    /**
     * The machine's RAM in bytes ({@code MemTotal} in {@code /proc/meminfo}), or 0 if it cannot be read. Read once
     * per JVM (every load's default map memory limit asks for it); an unreadable file is tried again next time.
     */
    public static long totalMemory() {
        long bytes = totalMemory;
        if (bytes == 0) {
            bytes = readTotalMemory();
            totalMemory = bytes;
        }
        return bytes;
    }

    private static long readTotalMemory() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    String kb = line.substring("MemTotal:".length()).replace("kB", "").trim();
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Parses a kernel CPU list such as {@code 0-3,5,7-8} into the CPU numbers, ascending. */
    static int[] parseCpuList(String list) {
        List<Integer> cpus = new ArrayList<>();
        try {
            for (String part : list.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int dash = p.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1));
                if (from < 0 || to < from) {
                    throw new NumberFormatException("bad range " + p);
                }
                for (int c = from; c <= to; c++) {
                    cpus.add(c);
                }
            }
        } catch (NumberFormatException e) {
            throw new BpfException("cannot parse CPU list '" + list + "' from " + POSSIBLE_CPUS, e);
        }
        if (cpus.isEmpty()) {
            throw new BpfException("CPU list '" + list + "' from " + POSSIBLE_CPUS + " names no CPU");
        }
        return cpus.stream().sorted().distinct().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The running kernel's release and its version code (empty: the release names no version), read once per JVM:
     * the running kernel does not change under a process ({@code null}: not yet asked).
     */
    private static volatile Release release;

    private record Release(String text, OptionalInt code) {
        static Release running() {
            String text = uname();
            return new Release(text, parseVersionCode(text));
        }
    }

    private static Release release() {
        Release r = release;
        if (r == null) {
            r = Release.running();
            release = r;
        }
        return r;
    }

    /**
     * The kernel release as {@code uname -r} prints it, e.g. {@code 6.18.44-fc-v782}: asked once per JVM (a load
     * needs it for every program without a {@code version} section).
     */
    public static String kernelRelease() {
        return release().text();
    }

    private static String uname() {
        try (Memory buf = new Memory(6L * Libc.UTSNAME_FIELD)) {
            buf.clear();
            if (Libc.uname(buf) != 0) {
                int errno = Native.getLastError();
                throw new BpfSyscallException("uname", errno, "", "");
            }
            return buf.getString(2L * Libc.UTSNAME_FIELD, StandardCharsets.US_ASCII.name());
        }
    }

    /** {@code KERNEL_VERSION(a, b, c)} of the running kernel, c capped at 255 as libbpf does. */
    public static int kernelVersionCode() {
        Release r = release();
        return r.code().orElseThrow(() -> noVersion(r.text()));
    }

    /** {@code KERNEL_VERSION(a, b, c)} of a release string such as {@code 5.15.0-91-generic}. */
    static int versionCode(String release) {
        return parseVersionCode(release).orElseThrow(() -> noVersion(release));
    }

    private static OptionalInt parseVersionCode(String release) {
        Matcher m = RELEASE.matcher(release);
        if (!m.find()) {
            return OptionalInt.empty();
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int patch = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return OptionalInt.of((major << 16) + (Math.min(minor, 255) << 8) + Math.min(patch, 255));
    }

    private static BpfException noVersion(String release) {
        return new BpfException("cannot read a kernel version from release '" + release + "'");
    }

    /** Whether this process has CAP_BPF or CAP_SYS_ADMIN in its effective set ({@code CapEff}). */
    public static boolean hasCapBpf() {
        long caps = effectiveCaps(read(PROC_STATUS));
        return (caps & (1L << CAP_BPF)) != 0 || (caps & (1L << CAP_SYS_ADMIN)) != 0;
    }

    /** The {@code CapEff} mask of a {@code /proc/<pid>/status} text. */
    static long effectiveCaps(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
            }
        }
        throw new BpfException("no CapEff line in " + PROC_STATUS);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.US_ASCII);
        } catch (java.nio.file.FileSystemException e) {
            if ("Too many open files".equals(e.getReason())) {
                // EMFILE (where Java 25's loader first meets the limit): the fix is the process's, not the file's
                throw new BpfException("cannot read " + path + ": EMFILE (Too many open files): "
                        + BpfException.TOO_MANY_OPEN_FILES, e);
            }
            throw new BpfException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BpfException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}

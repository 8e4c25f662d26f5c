package dev.bpfunit.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the kernel matrix uses the host: how many kernels run at once ({@link BpfKernels#PARALLEL}) and how many
 * CPUs each VM gets ({@link BpfKernels#CPUS}). Under TCG each guest CPU is a host thread that is busy whenever the
 * guest is, so {@code auto} never gives the guests that run at once more CPUs in all than the host has cores, and
 * never starts more guests than the available memory holds.
 *
 * @param parallel how many kernels run at once, at least 1
 * @param cpus     each VM's CPUs, at least 1
 */
record MatrixPlan(int parallel, int cpus) {
    /** Memory a guest's QEMU needs besides the guest's own. */
    static final long QEMU_OVERHEAD_MIB = 256;

    MatrixPlan {
        if (parallel < 1 || cpus < 1) {
            throw new IllegalArgumentException("parallel " + parallel + " and cpus " + cpus + " must be at least 1");
        }
    }

    /**
     * The plan for {@code targets} kernels (VMs and containers).
     *
     * @param parallelSetting {@link BpfKernels#PARALLEL}: a number or {@code auto}
     * @param cpusSetting     {@link BpfKernels#CPUS}: a number or {@code auto}
     * @param cores           the host's cores
     * @param availableMiB    the host's available memory in MiB, or a negative number when not known
     * @param guestMiB        each VM's memory in MiB
     */
    static MatrixPlan of(String parallelSetting, String cpusSetting, int targets, int cores, long availableMiB,
                         int guestMiB) {
        Optional<Integer> parallel = number(BpfKernels.PARALLEL, parallelSetting);
        Optional<Integer> cpus = number(BpfKernels.CPUS, cpusSetting);
        int hostCores = Math.max(1, cores);
        int fitsMemory = availableMiB < 0 ? Integer.MAX_VALUE
                : (int) Math.max(1, Math.min(Integer.MAX_VALUE, availableMiB / (guestMiB + QEMU_OVERHEAD_MIB)));
        int atOnce = parallel.orElseGet(() -> Math.max(1, Math.min(Math.min(targets, fitsMemory),
                hostCores / cpus.orElse(1))));
        int each = cpus.orElseGet(() -> Math.max(1, hostCores / Math.max(1, Math.min(atOnce, targets))));
        return new MatrixPlan(atOnce, each);
    }

    /** The plan from the settings, this host's cores and {@code /proc/meminfo}'s MemAvailable. */
    static MatrixPlan forHost(String parallelSetting, String cpusSetting, int targets, int guestMiB) {
        return of(parallelSetting, cpusSetting, targets, Runtime.getRuntime().availableProcessors(),
                availableMiB(), guestMiB);
    }

    private static final Pattern MEM_AVAILABLE = Pattern.compile("(?m)^MemAvailable:\\s+(\\d+) kB$");

    static long availableMiB() {
        try {
            Matcher m = MEM_AVAILABLE.matcher(Files.readString(Path.of("/proc/meminfo")));
            return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Optional<Integer> number(String key, String value) {
        String v = value == null ? "auto" : value.trim();
        if (v.isEmpty() || v.equalsIgnoreCase("auto")) {
            return Optional.empty();
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1) {
                return Optional.of(n);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new VmException(key + " is '" + value + "': give a number of at least 1, or auto");
    }
}

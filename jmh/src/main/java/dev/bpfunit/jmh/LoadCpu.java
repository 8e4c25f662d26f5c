package dev.bpfunit.jmh;

import dev.bpfunit.BpfObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Per load of an object, the mean over {@code n} loads in each of 5 rounds: wall time, this thread's user and system
 * CPU time and its minor page faults; {@code src/main/c/load_cpu.c} does the same with libbpf. Not a JMH benchmark:
 * it tells the kernel's share of a load from the JVM's. Usage: {@code java -cp jmh/target/benchmarks.jar
 * dev.bpfunit.jmh.LoadCpu OBJECT N} (see jmh/README.md, "A load's system time").
 */
public final class LoadCpu {
    private LoadCpu() {
    }

    /** This thread's minor page faults so far. */
    static long minflt() {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/thread-self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 5; round++) {
            long f0 = minflt();
            long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime(), u0 = mx.getCurrentThreadUserTime();
            for (int i = 0; i < n; i++) {
                try (BpfObject obj = BpfObject.load(path)) {
                    obj.programs().size();
                }
            }
            long w = System.nanoTime() - w0, c = mx.getCurrentThreadCpuTime() - c0, u = mx.getCurrentThreadUserTime() - u0;
            long f = minflt() - f0;
            System.out.printf("java round %d: wall %.0f us, cpu %.0f us (user %.0f, sys %.0f), minor faults %.1f per load%n", round,
                    w / 1e3 / n, c / 1e3 / n, u / 1e3 / n, (c - u) / 1e3 / n, f / (double) n);
        }
    }
}

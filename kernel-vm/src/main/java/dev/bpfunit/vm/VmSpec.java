package dev.bpfunit.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to run in a kernel VM: the kernel, the command with its working directory and environment, the
 * guest's size, the timeout, and the host directories the guest may write (each mounted at its own path).
 *
 * <p>The guest sees the host's whole root filesystem read-only at the same paths, so the command, its working
 * directory and the JDK are the host's. Start from {@link #of(KernelImage, List)} and change with the
 * {@code with...} methods.
 *
 * @param kernel       the kernel to boot
 * @param command      the program and its arguments, run as root in the guest
 * @param workingDir   the command's working directory (an absolute host path, visible in the guest)
 * @param environment  the command's whole environment (nothing else is inherited)
 * @param memoryMiB    guest memory in MiB (default 2048)
 * @param cpus         guest CPUs (default 2)
 * @param timeout      the longest the whole run (boot included) may take (default 30 minutes)
 * @param writableDirs host directories the guest may write, mounted over the read-only root at the same path
 * @param extraModules kernel modules to load besides 9p and virtio (e.g. {@code veth}, {@code sch_ingress})
 */
public record VmSpec(KernelImage kernel, List<String> command, Path workingDir, Map<String, String> environment,
                     int memoryMiB, int cpus, Duration timeout, List<Path> writableDirs, List<String> extraModules) {

    /** The guest CPUs of a spec that does not set them. */
    public static final int DEFAULT_CPUS = 2;
    /** The PATH the command gets when the environment names none. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*([MG])i?B?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    public VmSpec {
        Objects.requireNonNull(kernel, "kernel");
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("VM command is empty; give the program to run and its arguments");
        }
        Objects.requireNonNull(workingDir, "workingDir");
        if (!workingDir.isAbsolute()) {
            throw new IllegalArgumentException("VM working directory " + workingDir + " must be absolute");
        }
        environment = Map.copyOf(environment);
        environment.keySet().forEach(name -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("environment variable name '" + name + "' is not a shell name");
            }
        });
        if (memoryMiB < 64) {
            throw new IllegalArgumentException("VM memory " + memoryMiB + " MiB is too small; give at least 64M");
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("VM cpus " + cpus + " must be at least 1");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("VM timeout " + timeout + " must be positive");
        }
        writableDirs = writableDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
        extraModules = List.copyOf(extraModules);
    }

    /**
     * Runs {@code command} with 2 CPUs, 2 GiB, a 30-minute timeout, in the JVM's current directory, with only
     * {@code PATH}, {@code HOME=/root} and {@code LANG=C.UTF-8} set.
     */
    public static VmSpec of(KernelImage kernel, List<String> command) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("HOME", "/root");
        env.put("LANG", "C.UTF-8");
        return new VmSpec(kernel, command, Path.of("").toAbsolutePath(), env, 2048, DEFAULT_CPUS, Duration.ofMinutes(30),
                List.of(), List.of());
    }

    /** Same spec, another kernel. */
    public VmSpec withKernel(KernelImage value) {
        return new VmSpec(value, command, workingDir, environment, memoryMiB, cpus, timeout, writableDirs, extraModules);
    }

    /** Same spec, running in {@code dir} (made absolute against the JVM's current directory). */
    public VmSpec withWorkingDir(Path dir) {
        return new VmSpec(kernel, command, dir.toAbsolutePath().normalize(), environment, memoryMiB, cpus, timeout,
                writableDirs, extraModules);
    }

    /** Same spec with exactly this environment (add {@code PATH} yourself). */
    public VmSpec withEnvironment(Map<String, String> env) {
        return new VmSpec(kernel, command, workingDir, env, memoryMiB, cpus, timeout, writableDirs, extraModules);
    }

    /** Same spec with one more (or a changed) environment variable. */
    public VmSpec withEnv(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return withEnvironment(env);
    }

    /** Same spec with {@code mib} MiB of guest memory. */
    public VmSpec withMemoryMiB(int mib) {
        return new VmSpec(kernel, command, workingDir, environment, mib, cpus, timeout, writableDirs, extraModules);
    }

    /** Same spec with guest memory given like QEMU's {@code -m}: {@code "2G"}, {@code "512M"}. */
    public VmSpec withMemory(String size) {
        return withMemoryMiB(parseMemoryMiB(size));
    }

    /** Same spec with {@code n} guest CPUs. */
    public VmSpec withCpus(int n) {
        return new VmSpec(kernel, command, workingDir, environment, memoryMiB, n, timeout, writableDirs, extraModules);
    }

    /** Same spec with another timeout for the whole run. */
    public VmSpec withTimeout(Duration value) {
        return new VmSpec(kernel, command, workingDir, environment, memoryMiB, cpus, value, writableDirs, extraModules);
    }

    /** Same spec, with {@code dir} also writable by the guest. */
    public VmSpec withWritableDir(Path dir) {
        List<Path> dirs = new ArrayList<>(writableDirs);
        dirs.add(dir);
        return new VmSpec(kernel, command, workingDir, environment, memoryMiB, cpus, timeout, dirs, extraModules);
    }

    /** Same spec, loading these kernel modules (and their dependencies) too. */
    public VmSpec withExtraModules(List<String> modules) {
        return new VmSpec(kernel, command, workingDir, environment, memoryMiB, cpus, timeout, writableDirs, modules);
    }

    /** Parses {@code "2G"}, {@code "512M"}, {@code "1024MiB"} into MiB. */
    public static int parseMemoryMiB(String size) {
        Matcher m = MEMORY.matcher(size.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("memory size '" + size + "' is not like 2G or 512M");
        }
        long value = Long.parseLong(m.group(1)) * (m.group(2).equalsIgnoreCase("G") ? 1024 : 1);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("memory size '" + size + "' is too large");
        }
        return (int) value;
    }

    /** Parses {@code "90s"}, {@code "30m"}, {@code "1h"}, {@code "500ms"}. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("duration '" + text + "' is not like 90s, 30m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}

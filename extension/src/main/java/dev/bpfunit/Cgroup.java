package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.CgroupFs;
import dev.bpfunit.sys.Fd;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway cgroup v2 directory for cgroup programs, with processes the test starts in it.
 *
 * <p>It is made under {@code <cgroup2 mount>/bpfunit/} with a name holding the JVM's pid and start time
 * ({@code <pid>-<start>-<n>}); closing it kills its processes and removes it. Cgroups outlive a killed JVM, so
 * {@link #create()} first removes the ones whose JVM is gone (their processes killed): after a {@code kill -9},
 * the next run cleans up.
 */
public final class Cgroup implements AutoCloseable {
    /** The directory under the cgroup2 mount that holds bpfunit's cgroups. */
    public static final String PARENT = "bpfunit";
    static final Duration EMPTY_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static volatile boolean staleRemoved;

    private final Path path;
    private final Fd fd;
    private final List<Process> started = new ArrayList<>();
    private boolean closed;

    private Cgroup(Path path, Fd fd) {
        this.path = path;
        this.fd = fd;
    }

    /** A new, empty cgroup (after removing those left by JVMs that are gone). */
    public static Cgroup create() {
        Path root = root();
        if (!staleRemoved) {
            removeStale(root);
            staleRemoved = true;
        }
        Path dir = root.resolve(ownerPrefix() + SEQ.incrementAndGet());
        CgroupFs.create(dir);
        try {
            return new Cgroup(dir, CgroupFs.open(dir));
        } catch (RuntimeException e) {
            CgroupFs.remove(dir);
            throw e;
        }
    }

    /** Where bpfunit makes its cgroups; fails with the reason when cgroup v2 is not mounted. */
    public static Path root() {
        return CgroupFs.mountPoint().orElseThrow(() -> new BpfException("no cgroup2 file system in /proc/mounts: "
                + "mount one (mount -t cgroup2 none /sys/fs/cgroup) to test cgroup programs")).resolve(PARENT);
    }

    /** The directory of the cgroup. */
    public Path path() {
        return path;
    }

    /** The descriptor of the cgroup's directory, the target of cgroup attach commands. */
    Fd fd() {
        return fd;
    }

    /**
     * The number of the descriptor of the cgroup's directory, for the rare test that must hand it on: as the value
     * of a {@code BPF_MAP_TYPE_CGROUP_ARRAY} slot, say. It is closed with the cgroup; do not close it yourself.
     *
     * @throws dev.bpfunit.error.BpfException once it is closed
     */
    public int rawFd() {
        return fd.raw();
    }

    /**
     * Starts {@code command} as a process inside the cgroup: the process is moved in before it executes the command,
     * so everything the command does is seen by the cgroup's programs. It is killed when the cgroup is closed.
     */
    public Process start(String... command) {
        return start(new ProcessBuilder(command));
    }

    /** Like {@link #start(String...)} with the builder's directory, environment and redirections (not stdin). */
    public synchronized Process start(ProcessBuilder builder) {
        if (closed) {
            throw new BpfException(this + " is closed");
        }
        List<String> gated = new ArrayList<>(List.of("/bin/sh", "-c", "read _ || exit 97; exec \"$@\"", "sh"));
        gated.addAll(builder.command());
        ProcessBuilder b = new ProcessBuilder(gated).directory(builder.directory())
                .redirectOutput(builder.redirectOutput()).redirectError(builder.redirectError())
                .redirectErrorStream(builder.redirectErrorStream());
        b.environment().clear();
        b.environment().putAll(builder.environment());
        Process p;
        try {
            p = b.start();
        } catch (IOException e) {
            throw new BpfException("cannot start " + builder.command() + " in " + this + ": " + e.getMessage(), e);
        }
        started.add(p);
        try (OutputStream gate = p.getOutputStream()) {
            CgroupFs.moveProcess(path, p.pid());
            gate.write('\n');
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw new BpfException("cannot move " + builder.command() + " (pid " + p.pid() + ") into " + this + ": "
                    + e.getMessage(), e);
        }
        return p;
    }

    /** The pids of the processes in the cgroup now. */
    public List<Long> processes() {
        return CgroupFs.processes(path);
    }

    /** Kills the cgroup's processes, waits (bounded) until it is empty and removes it; safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (Process p : started) {
                p.destroyForcibly();
            }
            if (!empty(path)) {
                throw new BpfException("cannot remove " + this + ": processes " + processes() + " still in it after "
                        + EMPTY_TIMEOUT.toSeconds() + " s");
            }
            if (!CgroupFs.remove(path)) {
                throw new BpfException("cannot remove " + this + " (rmdir failed)");
            }
        } finally {
            fd.close();
        }
    }

    /** Kills what is in {@code dir} and waits until it is empty; false if it is not empty in time. */
    private static boolean empty(Path dir) {
        long deadline = System.nanoTime() + EMPTY_TIMEOUT.toNanos();
        while (!CgroupFs.processes(dir).isEmpty()) {
            CgroupFs.killAll(dir);
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Removes the cgroups left by JVMs that are gone, killing what is still in them (what {@link #create()} does
     * once per JVM); returns the directories removed.
     */
    public static List<Path> removeStale() {
        return removeStale(root());
    }

    /**
     * Removes the cgroups under {@code root} left by JVMs that are gone (their pid is not running, or runs
     * a process started at another time), killing what is still in them; returns the directories removed.
     */
    static List<Path> removeStale(Path root) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (Stream<Path> s = Files.list(root)) {
            for (Path dir : s.filter(Files::isDirectory).toList()) {
                String[] f = dir.getFileName().toString().split("-");
                if (f.length != 3 || !f[0].chars().allMatch(Character::isDigit) || f[0].isEmpty()) {
                    continue;   // not one of ours
                }
                long pid = Long.parseLong(f[0]);
                if (startTime(pid).map(f[1]::equals).orElse(false)) {
                    continue;   // its JVM is alive
                }
                if (empty(dir) && CgroupFs.remove(dir)) {
                    removed.add(dir);
                }
            }
        } catch (IOException e) {
            throw new BpfException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /** {@code <pid>-<start time>-}: the prefix of this JVM's cgroups. */
    static String ownerPrefix() {
        long pid = ProcessHandle.current().pid();
        return pid + "-" + startTime(pid).orElse("0") + "-";
    }

    /** The start time of a process in clock ticks since boot ({@code /proc/<pid>/stat} field 22), if it runs. */
    static Optional<String> startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(f[19]);   // field 22, counted from field 3 after the command name
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "cgroup " + path;
    }
}

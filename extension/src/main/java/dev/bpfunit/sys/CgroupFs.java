package dev.bpfunit.sys;

import com.sun.jna.Native;
import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cgroup v2 file system: where it is mounted, making and removing directories, moving processes into them,
 * and the directory descriptors that cgroup BPF programs attach to.
 */
public final class CgroupFs {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    private static final int O_DIRECTORY = 0200000;
    private static final int SIGKILL = 9;

    private CgroupFs() {
    }

    /** Where the cgroup2 file system is mounted ({@code /sys/fs/cgroup}, or {@code /sys/fs/cgroup/unified} on hybrid hosts). */
    public static Optional<Path> mountPoint() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("cgroup2")) {
                    return Optional.of(Path.of(f[1].replace("\\040", " ")));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new BpfException("cannot read /proc/mounts: " + e.getMessage(), e);
        }
    }

    /** Makes a cgroup directory (its parents too). */
    public static void create(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BpfException("mkdir " + dir + ": " + e.getMessage()
                    + ": creating a cgroup needs write access to the cgroup2 file system (root)", e);
        }
    }

    /** Moves a process (all its threads) into the cgroup by writing its pid to {@code cgroup.procs}. */
    public static void moveProcess(Path dir, long pid) {
        write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** The pids in the cgroup ({@code cgroup.procs}); empty if the cgroup is gone. */
    public static List<Long> processes(Path dir) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!l.isBlank()) {
                    pids.add(Long.parseLong(l.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            return pids;
        } catch (IOException e) {
            throw new BpfException("cannot read " + dir.resolve("cgroup.procs") + ": " + e.getMessage(), e);
        }
        return pids;
    }

    /** Kills every process in the cgroup: {@code cgroup.kill} (Linux 5.14), else SIGKILL to each pid. */
    public static void killAll(Path dir) {
        Path kill = dir.resolve("cgroup.kill");
        if (Files.exists(kill)) {
            write(kill, "1");
            return;
        }
        for (long pid : processes(dir)) {
            NetLibc.kill((int) pid, SIGKILL);
        }
    }

    /** Removes an empty cgroup directory; true if it is gone (or was never there). */
    public static boolean remove(Path dir) {
        try {
            Files.deleteIfExists(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A descriptor of the cgroup directory, the target of cgroup attach commands. */
    public static Fd open(Path dir) {
        int raw = Libc.open(dir.toString(), Libc.O_RDONLY | O_DIRECTORY | Libc.O_CLOEXEC);
        if (raw < 0) {
            int errno = Native.getLastError();
            throw new BpfSyscallException("open", errno, dir.toString(), Hints.forSyscall(errno));
        }
        return Fd.adopt(raw, "cgroup " + dir);
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BpfException("write '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }
}

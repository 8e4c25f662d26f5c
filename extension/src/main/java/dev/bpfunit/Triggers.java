package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Syscalls;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Causes the events attached programs watch, from the test: system calls made in the calling thread, the ids the
 * kernel knows the test by, and other processes started and waited for (to show that a filter leaves them out).
 */
public final class Triggers {

    private Triggers() {
    }

    /** A process run to its end: its pid, exit code and output (stdout and stderr together). */
    public record Finished(long pid, int exitCode, String output) {
    }

    /** This JVM's process id: what {@code bpf_get_current_pid_tgid() >> 32} gives in its threads (the tgid). */
    public static int pid() {
        return Syscalls.getpid();
    }

    /** The calling thread's id: {@code (u32) bpf_get_current_pid_tgid()} in this thread. */
    public static int tid() {
        return Syscalls.gettid();
    }

    /** Makes a {@code getpid(2)} system call in this thread (fires {@code syscalls:sys_enter_getpid}); its result. */
    public static int getpid() {
        return Syscalls.getpid();
    }

    /**
     * Makes {@code openat(2)} of {@code path} in this thread and closes what it opened; returns the errno, 0 when
     * it opened (a missing file still makes the system call).
     */
    public static int openat(Path path) {
        return Syscalls.openat(path.toString());
    }

    /** Repeats {@link #openat(Path)} {@code times} times. */
    public static void openat(Path path, int times) {
        for (int i = 0; i < times; i++) {
            openat(path);
        }
    }

    /** Makes one {@code write(2)} of {@code data} to {@code /dev/null} in this thread. */
    public static void write(byte[] data) {
        try (FileOutputStream out = new FileOutputStream("/dev/null")) {
            out.write(data);
        } catch (IOException e) {
            throw new BpfException("write to /dev/null failed: " + e, e);
        }
    }

    /**
     * Runs {@code command} as a child process and waits for it, at most {@code timeout} (then kills it and fails):
     * its system calls are made by another pid than the test's.
     */
    public static Finished run(Duration timeout, String... command) {
        Path log;
        Process p;
        try {
            log = java.nio.file.Files.createTempFile("bpfunit-trigger", ".out");
            p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new BpfException("cannot start " + String.join(" ", command) + ": " + e, e);
        }
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new BpfException("waited " + Waits.human(timeout) + " for '" + String.join(" ", command)
                        + "' (pid " + p.pid() + ") to exit; killed it");
            }
            return new Finished(p.pid(), p.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BpfException("cannot read the output of " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BpfException("interrupted while waiting for " + String.join(" ", command), e);
        } finally {
            log.toFile().delete();
        }
    }
}

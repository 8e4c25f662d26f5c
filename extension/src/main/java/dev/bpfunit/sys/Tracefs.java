package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's tracing filesystem: where tracepoint ids are read ({@code events/<category>/<name>/id}) and where
 * {@code bpf_printk} writes ({@code trace}); mounted at {@code /sys/kernel/tracing} when no mount is found.
 */
public final class Tracefs {

    private static final List<Path> CANDIDATES = List.of(Path.of("/sys/kernel/tracing"),
            Path.of("/sys/kernel/debug/tracing"));
    private static volatile Path root;

    private Tracefs() {
    }

    /** The tracefs directory, mounting tracefs at {@code /sys/kernel/tracing} if nothing is mounted. */
    public static Path root() {
        Path r = root;
        if (r != null) {
            return r;
        }
        synchronized (Tracefs.class) {
            for (Path p : CANDIDATES) {
                if (Files.isRegularFile(p.resolve("trace")) || Files.isDirectory(p.resolve("events"))) {
                    root = p;
                    return p;
                }
            }
            Path target = CANDIDATES.get(0);
            try {
                Process mount = new ProcessBuilder("mount", "-t", "tracefs", "nodev", target.toString())
                        .redirectErrorStream(true).start();
                String out = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (mount.waitFor() != 0 || !Files.isDirectory(target.resolve("events"))) {
                    throw new BpfException("tracefs is not mounted and 'mount -t tracefs nodev " + target
                            + "' failed: " + out + ": mount it, or run as root");
                }
            } catch (IOException e) {
                throw new BpfException("tracefs is not mounted and mount(8) could not be run: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BpfException("interrupted while mounting tracefs", e);
            }
            root = target;
            return target;
        }
    }

    /**
     * The id of tracepoint {@code category:name} ({@code events/<category>/<name>/id}), what
     * {@code PERF_TYPE_TRACEPOINT} events take as {@code config}.
     */
    public static long tracepointId(String category, String name) {
        Path id = root().resolve("events").resolve(category).resolve(name).resolve("id");
        try {
            return Long.parseLong(Files.readString(id).trim());
        } catch (NoSuchFileException e) {
            Path events = root().resolve("events").resolve(category);
            String hint = Files.isDirectory(events) ? "category '" + category + "' has no tracepoint '" + name
                    + "'; see " + events : "no tracepoint category '" + category + "'; see " + root().resolve("events");
            throw new BpfException("tracepoint " + category + ":" + name + ": " + id + " does not exist: " + hint, e);
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("tracepoint " + category + ":" + name + ": cannot read " + id + ": " + e, e);
        }
    }

    /** The text of {@code trace}: the top-level ring buffer, read without consuming it (other readers keep it). */
    public static String readTrace() {
        Path trace = root().resolve("trace");
        try {
            return Files.readString(trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BpfException("cannot read " + trace + ": " + e, e);
        }
    }

    /** Writes {@code text} into the top-level ring buffer through {@code trace_marker}, as this thread. */
    public static void writeMarker(String text) {
        Path marker = root().resolve("trace_marker");
        try {
            Files.writeString(marker, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BpfException("cannot write " + marker + ": " + e, e);
        }
    }

    /** Whether the top-level buffer records ({@code tracing_on} is 1). */
    public static boolean tracingOn() {
        try {
            return Files.readString(root().resolve("tracing_on")).trim().equals("1");
        } catch (IOException e) {
            return false;
        }
    }
}

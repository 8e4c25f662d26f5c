package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.SystemInfo;
import dev.bpfunit.sys.Tracefs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code bpf_printk} output of this test: lines of the kernel's trace buffer ({@code /sys/kernel/tracing/trace},
 * read without consuming it, so other readers and other tests keep their lines) written after {@link #capture()}
 * by this JVM's threads, or by the given pids.
 *
 * <pre>{@code
 * try (TraceLog log = TraceLog.capture()) {
 *     Triggers.getpid();
 *     assertThat(log.await("getpid from", Duration.ofSeconds(2))).isNotEmpty();
 * }
 * }</pre>
 */
public final class TraceLog implements AutoCloseable {

    /** {@code <task>-<pid> [(<tgid>)] [<cpu>] <flags> <seconds>: <event>: <message>}. */
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*?)-(\\d+)\\s+(?:\\(\\s*[-\\d]+\\)\\s+)?\\[(\\d+)\\]\\s+(?:\\S+\\s+)?(\\d+\\.\\d+):\\s+([^:]+):\\s?(.*)$");
    private static final String PRINTK = "bpf_trace_printk";

    /** One line of the trace buffer. */
    public record Line(String task, int pid, int cpu, double timestamp, String event, String message) {
    }

    private final String marker;
    private final Set<Integer> extraPids = new HashSet<>();
    private final double since;

    private TraceLog() {
        this.marker = "bpfunit-trace-" + UUID.randomUUID();
        Tracefs.writeMarker(marker);
        this.since = all().stream().filter(l -> l.message().contains(marker)).mapToDouble(Line::timestamp).findFirst()
                .orElseThrow(() -> new BpfException("the trace marker written to " + Tracefs.root()
                        + "/trace_marker does not show in " + Tracefs.root() + "/trace"
                        + (Tracefs.tracingOn() ? "" : ": tracing is off (echo 1 > tracing_on)")));
    }

    /** Starts capturing: only lines written from now on count. */
    public static TraceLog capture() {
        return new TraceLog();
    }

    /** Also counts lines written by {@code pid} (a child process's, say). */
    public TraceLog includePid(long pid) {
        synchronized (extraPids) {
            extraPids.add((int) pid);
        }
        return this;
    }

    /** Every {@code bpf_printk} line since {@link #capture()} from this JVM's threads (and the included pids). */
    public List<Line> lines() {
        Set<Integer> ours = ownThreads();
        synchronized (extraPids) {
            ours.addAll(extraPids);
        }
        return all().stream().filter(l -> l.timestamp() > since && l.event().equals(PRINTK) && ours.contains(l.pid()))
                .toList();
    }

    /** The messages of {@link #lines()}, as the programs wrote them. */
    public List<String> messages() {
        return lines().stream().map(Line::message).toList();
    }

    /**
     * Waits up to {@code timeout} for a message containing {@code text} and returns the messages containing it;
     * fails with what it waited for and the messages that did come.
     */
    public List<String> await(String text, Duration timeout) {
        try {
            return Waits.atLeast(1, timeout, () -> matching(text), "bpf_printk message containing '" + text + "'",
                    "the trace buffer");
        } catch (BpfException e) {
            List<String> got = messages();
            throw new BpfException(e.getMessage() + "; this test's messages: " + (got.isEmpty() ? "none" : got)
                    + (Tracefs.tracingOn() ? "" : "; tracing is off in " + Tracefs.root()), e);
        }
    }

    private List<String> seen = List.of();

    private synchronized List<String> matching(String text) {
        List<String> now = messages().stream().filter(m -> m.contains(text)).toList();
        List<String> fresh = now.subList(Math.min(seen.size(), now.size()), now.size());
        seen = now;
        return new ArrayList<>(fresh);
    }

    /** Nothing to release: the trace buffer belongs to the kernel; kept for try-with-resources and JUnit stores. */
    @Override
    public void close() {
    }

    static List<Line> parse(String text) {
        List<Line> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                out.add(new Line(m.group(1).trim(), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        Double.parseDouble(m.group(4)), m.group(5).trim(), m.group(6)));
            }
        }
        return out;
    }

    private static List<Line> all() {
        return parse(Tracefs.readTrace());
    }

    private static Set<Integer> ownThreads() {
        return SystemInfo.threadIds();
    }
}

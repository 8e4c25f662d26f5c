package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;

/**
 * Holds the kernel's run-time statistics of BPF programs on ({@code BPF_ENABLE_STATS}): while any holder is open,
 * every program counts {@code run_cnt} and {@code run_time_ns} ({@link BpfProgram#info()}). Held only while needed:
 * counted across this JVM's holders, the kernel's fd closed with the last one (and by the kernel if the JVM dies).
 *
 * <pre>{@code
 * try (BpfStats stats = BpfStats.enable()) {
 *     ... trigger the attached program ...
 *     double ns = program.info().averageRunTimeNs().orElseThrow();
 * }
 * }</pre>
 */
public final class BpfStats implements AutoCloseable {

    private static final Object LOCK = new Object();
    private static Fd fd;
    private static int holders;

    private boolean closed;

    private BpfStats() {
    }

    /** Turns statistics on (or joins the holders already keeping them on); close it when the test is done. */
    public static BpfStats enable() {
        synchronized (LOCK) {
            if (holders == 0) {
                try {
                    fd = Bpf.enableStats();
                } catch (BpfException e) {
                    throw new BpfException("cannot enable BPF run-time statistics: " + e.getMessage()
                            + "; it needs Linux 5.8 and CAP_SYS_ADMIN (or set sysctl kernel.bpf_stats_enabled=1)", e);
                }
            }
            holders++;
            return new BpfStats();
        }
    }

    /** True while some holder in this JVM keeps statistics on. */
    public static boolean enabled() {
        synchronized (LOCK) {
            return holders > 0;
        }
    }

    /** Lets go of statistics; the last holder closes the kernel's fd. Idempotent. */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (closed) {
                return;
            }
            closed = true;
            if (--holders == 0) {
                fd.close();
                fd = null;
            }
        }
    }
}

package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Bounded waits for what an attached program produces, failing with what was waited for and what came. */
final class Waits {

    private Waits() {
    }

    /**
     * Collects batches from {@code read} until at least {@code count} items came or {@code timeout} passed; polls
     * with a short sleep, so nothing blocks past the timeout.
     */
    static <T> List<T> atLeast(int count, Duration timeout, Supplier<List<T>> read, String what, String from) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        List<T> got = new ArrayList<>(read.get());
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMs = 1;
        while (got.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new BpfException("waited " + human(timeout) + " for " + count + " " + what
                        + (count == 1 ? "" : "s") + " from " + from + ", got " + got.size());
            }
            try {
                Thread.sleep(Math.max(1, Math.min(sleepMs, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BpfException("interrupted while waiting for " + count + " " + what + "s from " + from
                        + ", got " + got.size(), e);
            }
            sleepMs = Math.min(sleepMs * 2, 20);
            got.addAll(read.get());
        }
        return got;
    }

    /** {@code 2 s}, {@code 500 ms}. */
    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}

package dev.bpfunit.assertj;

import dev.bpfunit.TestRun;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Timings of a program, taken soundly: after warm-up runs, several samples, each the kernel's average time
 * per run over a large {@code repeat}. Compared by their median, which one noisy sample cannot move.
 *
 * @param nsPerRun each sample's average time of one run, in nanoseconds, in the order they were taken
 * @param repeat   the runs per sample
 * @param warmups  the samples taken and thrown away first
 */
public record LatencySamples(List<Long> nsPerRun, int repeat, int warmups) {

    /** Warm-up samples thrown away by default. */
    public static final int DEFAULT_WARMUPS = 2;
    /** Samples kept by default. */
    public static final int DEFAULT_SAMPLES = 7;
    /** Runs per sample by default. */
    public static final int DEFAULT_REPEAT = 100_000;

    public LatencySamples {
        nsPerRun = List.copyOf(nsPerRun);
        if (nsPerRun.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
    }

    /**
     * Measures: {@code run} must run the program {@code repeat} times in one {@code BPF_PROG_TEST_RUN} (e.g.
     * {@code r -> prog.testRun().data(packet).repeat(r).run()}).
     */
    public static LatencySamples measure(IntFunction<TestRun> run, int warmups, int samples, int repeat) {
        if (warmups < 0 || samples < 3 || repeat < 1) {
            throw new IllegalArgumentException("need warmups >= 0, samples >= 3 (for a median and a spread) and "
                    + "repeat >= 1; got " + warmups + ", " + samples + ", " + repeat);
        }
        for (int i = 0; i < warmups; i++) {
            check(run.apply(repeat));
        }
        List<Long> ns = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            ns.add(check(run.apply(repeat)));
        }
        return new LatencySamples(ns, repeat, warmups);
    }

    /** {@link #measure(IntFunction, int, int, int)} with the defaults. */
    public static LatencySamples measure(IntFunction<TestRun> run) {
        return measure(run, DEFAULT_WARMUPS, DEFAULT_SAMPLES, DEFAULT_REPEAT);
    }

    private static long check(TestRun r) {
        if (r.durationNs() == 0 && r.repeat() > 0) {
            throw new IllegalArgumentException("the kernel does not time " + r.type() + " programs (duration 0): "
                    + "latency cannot be measured for this type");
        }
        return r.durationNs();
    }

    /** The median of the samples. */
    public double median() {
        List<Long> s = sorted();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }

    /** The largest distance of a sample from the median, relative to the median (0.1: within 10%). */
    public double spread() {
        double m = median();
        if (m == 0) {
            return 0;
        }
        return nsPerRun.stream().mapToDouble(x -> Math.abs(x - m) / m).max().orElse(0);
    }

    private List<Long> sorted() {
        return nsPerRun.stream().sorted().toList();
    }

    /** Every sample, the median and the spread, for a failure message. */
    public String describe() {
        return "  samples (ns per run, each over " + repeat + " runs, after " + warmups + " warm-up samples): "
                + nsPerRun + "\n  median " + String.format("%.1f", median()) + " ns, min " + sorted().get(0)
                + " ns, max " + sorted().get(sorted().size() - 1) + " ns, spread "
                + Math.round(spread() * 100) + "% of the median";
    }
}

package dev.bpfunit.assertj;

import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on a program's speed, from {@link LatencySamples}: the median time per run below a bound,
 * optionally with the samples steady enough to trust. Failure messages show every sample.
 */
public class LatencyAssert extends AbstractObjectAssert<LatencyAssert, LatencySamples> {

    public LatencyAssert(LatencySamples actual) {
        super(actual, LatencyAssert.class);
    }

    /** The median of the samples' average time per run is below {@code boundNs}. */
    public LatencyAssert hasAverageNsPerRunBelow(long boundNs) {
        isNotNull();
        if (boundNs <= 0) {
            throw new IllegalArgumentException("the bound must be positive, was " + boundNs);
        }
        if (actual.median() >= boundNs) {
            throwAssertionError(BpfErrors.shouldRunFasterThan(boundNs, actual.describe()));
        }
        return myself;
    }

    /**
     * No sample is further than {@code maxSpread} (relative: 0.5 for 50%) from the median: the measurement
     * can be trusted. Use it where a noisy machine should fail the build rather than pass it by luck.
     */
    public LatencyAssert isSteadyWithin(double maxSpread) {
        isNotNull();
        if (!(maxSpread > 0)) {
            throw new IllegalArgumentException("the spread must be positive, was " + maxSpread);
        }
        if (actual.spread() > maxSpread) {
            throwAssertionError(BpfErrors.shouldBeSteady(maxSpread, actual.describe()));
        }
        return myself;
    }
}

package dev.bpfunit.assertj;

import dev.bpfunit.BpfMap;

/** Assertions on a {@link BpfMap}; made by {@link BpfAssertions#assertThat(BpfMap)}. */
public class BpfMapAssert extends AbstractBpfMapAssert<BpfMapAssert> {

    public BpfMapAssert(BpfMap actual) {
        super(actual, BpfMapAssert.class);
    }
}

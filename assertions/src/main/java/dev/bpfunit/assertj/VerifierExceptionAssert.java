package dev.bpfunit.assertj;

import dev.bpfunit.VerifierException;

/** Assertions on a {@link VerifierException}; made by {@link BpfAssertions#assertThat(VerifierException)}. */
public class VerifierExceptionAssert extends AbstractVerifierExceptionAssert<VerifierExceptionAssert> {

    public VerifierExceptionAssert(VerifierException actual) {
        super(actual, VerifierExceptionAssert.class);
    }
}

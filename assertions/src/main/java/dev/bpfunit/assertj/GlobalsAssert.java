package dev.bpfunit.assertj;

import dev.bpfunit.Globals;

/** Assertions on {@link Globals}; made by {@link BpfAssertions#assertThat(Globals)}. */
public class GlobalsAssert extends AbstractGlobalsAssert<GlobalsAssert> {

    public GlobalsAssert(Globals actual) {
        super(actual, GlobalsAssert.class);
    }
}

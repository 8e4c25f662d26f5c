package dev.bpfunit.assertj;

import dev.bpfunit.TestRun;

/** Assertions on a {@link TestRun}; made by {@link BpfAssertions#assertThat(TestRun)}. */
public class TestRunAssert extends AbstractTestRunAssert<TestRunAssert> {

    public TestRunAssert(TestRun actual) {
        super(actual, TestRunAssert.class);
    }
}

package dev.bpfunit.assertj;

import dev.bpfunit.GlobalVariable;
import org.assertj.core.api.AbstractObjectAssert;

/** Assertions on one {@link GlobalVariable}; made by {@link BpfAssertions#assertThat(GlobalVariable)}. */
public class GlobalVariableAssert extends AbstractObjectAssert<GlobalVariableAssert, GlobalVariable> {

    public GlobalVariableAssert(GlobalVariable actual) {
        super(actual, GlobalVariableAssert.class);
    }

    /** The variable holds {@code expected} (see {@link AbstractGlobalsAssert#hasVariable}). */
    public GlobalVariableAssert hasValue(Object expected) {
        isNotNull();
        if (!GlobalValue.matches(actual, expected)) {
            throwAssertionError(BpfErrors.shouldHaveGlobalValue(actual.name(), actual.typeName(),
                    GlobalValue.expected(expected), GlobalValue.render(actual)));
        }
        return myself;
    }
}

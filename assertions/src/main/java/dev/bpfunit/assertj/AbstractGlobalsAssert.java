package dev.bpfunit.assertj;

import dev.bpfunit.GlobalVariable;
import dev.bpfunit.Globals;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on an object's global variables ({@code .data}, {@code .bss}, {@code .rodata}), read when the
 * assertion runs; failure messages give each variable's C type.
 *
 * @param <SELF> the concrete assertion type
 */
public abstract class AbstractGlobalsAssert<SELF extends AbstractGlobalsAssert<SELF>>
        extends AbstractObjectAssert<SELF, Globals> {

    protected AbstractGlobalsAssert(Globals actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /**
     * Variable {@code name} holds {@code expected}: a number (compared as an integer, or as a floating-point
     * number for a {@code Float}/{@code Double}), a boolean, a string (a {@code char} array or an enumerator
     * name) or the variable's bytes.
     */
    public SELF hasVariable(String name, Object expected) {
        isNotNull();
        GlobalVariable v = actual.get(name);
        if (!GlobalValue.matches(v, expected)) {
            throwAssertionError(BpfErrors.shouldHaveGlobalValue(name, v.typeName(), GlobalValue.expected(expected),
                    GlobalValue.render(v)));
        }
        return myself;
    }
}

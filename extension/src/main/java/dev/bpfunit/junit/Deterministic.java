package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Loads the objects of a {@link BpfTest} with deterministic helpers: their programs read time and the CPU number
 * from a {@code TestClock} the test can inject and move, and {@code bpf_get_prandom_u32} returns a sequence seeded
 * with {@link #seed()}.
 *
 * <pre>{@code
 * @BpfTest("bpf/rate_limit.bpf.o")
 * @Deterministic(seed = 42)
 * class RateLimitTest {
 *     @Program("rate_limit") BpfProgram limiter;
 *     TestClock clock;                              // the clock of this test's objects
 *     ...
 *     clock.advance(Duration.ofMillis(100));
 * }
 * }</pre>
 *
 * <p>Objects loaded for the class (static fields, {@code @BeforeAll} parameters) share the class's clock, injected
 * into static {@code TestClock} fields and {@code @BeforeAll} parameters; objects loaded for a test use a clock of
 * their own, fresh for each test (at 0 ns), injected into instance fields and test method parameters.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface Deterministic {

    /** The first state of the random sequence ({@code dev.bpfunit.instrument.DeterministicValues}). */
    long seed() default 0;
}

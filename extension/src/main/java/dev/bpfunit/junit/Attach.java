package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Attaches an injected {@code BpfProgram} in the live kernel before the test (or the class, for a static field),
 * where its section says or at {@link #value()}; the link is detached when the program's object is closed with
 * its scope, whatever happened.
 *
 * <pre>{@code
 * @Attach @Program("count_openat") BpfProgram counter;            // SEC("tp/syscalls/sys_enter_openat")
 * @Attach("tp/syscalls/sys_enter_getpid") @Program("hits") BpfProgram hits;   // an explicit target
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface Attach {
    /** The target written as a section name ({@code "tp/<category>/<name>"}); empty: the program's section. */
    String value() default "";
}

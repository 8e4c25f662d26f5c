package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the program a {@link BpfTest} injects into a field or parameter of type {@code BpfProgram}. Without
 * this annotation, or with an empty name, the object(s) must have exactly one candidate.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Program {

    /** The program's name; empty for "the only one". */
    String value() default "";
}

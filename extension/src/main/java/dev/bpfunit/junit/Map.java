package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the map a {@link BpfTest} injects into a field or parameter of type {@code BpfMap}. Without
 * this annotation, or with an empty name, the object(s) must have exactly one candidate; global data
 * maps such as {@code .rodata} are not candidates, they are only injected by name.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Map {

    /** The map's name; empty for "the only one". */
    String value() default "";
}

package dev.bpfunit.junit;

import dev.bpfunit.spec.ProgramType;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a program's type, for a section name that does not say it: in {@link BpfTest#programTypes()}, on the test
 * class, or on a test method, where it applies to the objects loaded fresh for that test.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(ProgramTypeOf.List.class)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ProgramTypeOf {

    /** The program's (function's) name. */
    String program();

    /** Its type. */
    ProgramType type();

    /** Holds repeated {@link ProgramTypeOf} annotations. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @interface List {
        ProgramTypeOf[] value();
    }
}

package dev.bpfunit.junit;

import dev.bpfunit.spec.ProgramType;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Gives a program's type in {@link BpfTest#programTypes()}, for a section name that does not say it. */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ProgramTypeOf {

    /** The program's (function's) name. */
    String program();

    /** Its type. */
    ProgramType type();
}

package dev.bpfunit.junit;

import dev.bpfunit.spec.ProgramType;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class or method only where the kernel loads programs of all these types, found by loading a
 * minimal program of each (as {@code bpftool feature probe} does); otherwise it is disabled with a reason
 * naming the missing type.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KernelCondition.class)
public @interface RequiresProgramType {

    /** The program types needed. */
    ProgramType[] value();
}

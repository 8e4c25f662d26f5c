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
 * Runs a test class or method only where programs of {@link #programType()} may call these helpers, found
 * by loading a minimal program that calls each; otherwise it is disabled with a reason naming the missing
 * helper.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KernelCondition.class)
public @interface RequiresHelper {

    /** Helper names as in {@code bpf_helper_defs.h}, with or without the {@code bpf_} prefix. */
    String[] value() default {};

    /** Helper ids ({@code BPF_FUNC_*} numbers), for helpers given by number. */
    int[] ids() default {};

    /** The program type that calls them; helpers differ between types. Default: {@code XDP}. */
    ProgramType programType() default ProgramType.XDP;
}

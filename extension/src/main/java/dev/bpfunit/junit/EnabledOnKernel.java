package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class or method only on kernels of a version range, e.g. {@code @EnabledOnKernel(min = "5.8",
 * reason = "BPF_MAP_TYPE_RINGBUF")}; otherwise it is disabled with the reason
 * {@code kernel 5.4.0 < 5.8 required (BPF_MAP_TYPE_RINGBUF)}. Versions are {@code major.minor[.patch]},
 * compared with the running kernel's release ({@code uname -r}); both bounds are inclusive. Prefer a
 * feature condition ({@link RequiresMapType} and friends) where one fits: distribution kernels backport.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KernelCondition.class)
public @interface EnabledOnKernel {

    /** The lowest kernel version to run on, e.g. {@code "5.8"}; empty for no lower bound. */
    String min() default "";

    /** The highest kernel version to run on, e.g. {@code "6.1.999"}; empty for no upper bound. */
    String max() default "";

    /** What needs the version, shown in parentheses in the reason, e.g. {@code "BPF_MAP_TYPE_RINGBUF"}. */
    String reason() default "";
}

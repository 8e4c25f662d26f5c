package dev.bpfunit.junit;

import dev.bpfunit.spec.MapType;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class or method only where the kernel creates maps of all these types, found by creating a
 * minimal map of each; otherwise it is disabled with a reason naming the missing type.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KernelCondition.class)
public @interface RequiresMapType {

    /** The map types needed. */
    MapType[] value();
}

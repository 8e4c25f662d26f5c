package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class or method only where the kernel can create netkit devices (Linux 6.7 with {@code CONFIG_NETKIT},
 * found by making one in a throwaway namespace); otherwise it is disabled with the reason. The netkit attach types
 * alone ({@link RequiresAttachType}) are known to kernels built without the netkit driver.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(NetDeviceCondition.class)
public @interface RequiresNetkit {
}

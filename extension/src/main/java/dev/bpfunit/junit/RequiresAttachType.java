package dev.bpfunit.junit;

import dev.bpfunit.spec.AttachType;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class or method only where the kernel knows these attach types for {@code BPF_PROG_ATTACH}
 * (cgroup, sockmap, flow dissector, lirc, sk_lookup, tcx and netkit hooks); otherwise it is disabled with
 * a reason naming the missing type. Attach types that are not attached that way (XDP, tracing, LSM) are a
 * configuration error: require their program type with {@link RequiresProgramType} instead.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KernelCondition.class)
public @interface RequiresAttachType {

    /** The attach types needed. */
    AttachType[] value();
}

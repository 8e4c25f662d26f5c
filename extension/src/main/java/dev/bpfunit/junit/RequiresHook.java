package dev.bpfunit.junit;

import dev.bpfunit.Hook;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Skips the test (or class), with the reason, when the running kernel cannot attach a program to one of these
 * hooks: each is answered by loading a minimal program and really attaching it ({@link Hook#unavailableReason()}),
 * e.g. {@code kernel 6.18.0 has no kprobe PMU (/sys/bus/event_source/devices/kprobe): built without CONFIG_KPROBES}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(KernelCondition.class)
public @interface RequiresHook {
    /** The hooks the test attaches to. */
    Hook[] value();
}

package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Picks which of several {@link BpfTest} objects a field or parameter is taken from: the object, or the
 * program or map of that name in it.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface FromObject {

    /** The object as named in {@link BpfTest#value()}, its file name ({@code xdp_fw.bpf.o}) or its stem ({@code xdp_fw}). */
    String value();
}

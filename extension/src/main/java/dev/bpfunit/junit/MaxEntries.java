package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Sets a map's {@code max_entries} in {@link BpfTest#maxEntries()}. */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface MaxEntries {

    /** The map's name. */
    String map();

    /** The number of entries, positive. */
    int value();
}

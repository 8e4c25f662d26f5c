package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets a map's {@code max_entries} before load: in {@link BpfTest#maxEntries()}, on the test class, or on a test
 * method, where it applies to the objects loaded fresh for that test (a method's option wins over the class's).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Repeatable(MaxEntries.List.class)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface MaxEntries {

    /** The map's name. */
    String map();

    /** The number of entries, positive. */
    int value();

    /** Holds repeated {@link MaxEntries} annotations. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @interface List {
        MaxEntries[] value();
    }
}

package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Sets a global variable of a {@link BpfTest} object before it is loaded: inside {@link BpfTest#globals()}, on the
 * test class, or on a test method, where it applies to the objects loaded fresh for that test (instance fields,
 * the method's parameters) and wins over the class's value. A method's option cannot change objects shared by the
 * class (static fields, {@code @BeforeAll} parameters): a test whose method carries options but that gets no
 * object of its own fails, saying so.
 *
 * <p>The value is text, parsed by the variable's type from BTF: integers in decimal or {@code 0x} hex
 * (range-checked against the variable's size and signedness), {@code true}/{@code false} for
 * {@code bool}, a decimal for {@code float}/{@code double}, a string for a {@code char} array (padded
 * with NULs), or {@code hex:} followed by exactly the variable's bytes for anything else.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(Global.List.class)
public @interface Global {

    /** The variable's name, as in the C source. */
    String name();

    /** The value, as text (see the type's description). */
    String value();

    /** Holds repeated {@link Global} annotations. */
    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @interface List {
        Global[] value();
    }
}

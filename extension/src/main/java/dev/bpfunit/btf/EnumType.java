package dev.bpfunit.btf;

import java.util.List;
import java.util.Optional;

/** What a 32-bit ENUM and an ENUM64 have in common: a size, a signedness and named values. */
public interface EnumType {
    String name();

    /** Size in bytes (1, 2, 4 or 8). */
    int size();

    /** Whether the values are signed (the type's kind_flag). */
    boolean signed();

    List<EnumValue> values();

    /** The enumerator with that name, if any. */
    default Optional<EnumValue> value(String name) {
        return values().stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /** The first enumerator with that value, if any. */
    default Optional<EnumValue> valueOf(long value) {
        return values().stream().filter(v -> v.value() == value).findFirst();
    }
}

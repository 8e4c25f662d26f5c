package dev.bpfunit.btf;

import java.util.List;

/** BTF ENUM64: an enum with 64-bit values; {@code signed} is the type's kind_flag. */
public record Enum64(String name, int size, boolean signed, List<EnumValue> values) implements BtfType, EnumType {
    public Enum64 {
        name = Names.check(name);
        values = Names.copy(values, "values of ENUM64 ", name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.ENUM64;
    }
}

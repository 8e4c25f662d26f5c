package dev.bpfunit.btf;

import java.util.List;

/** BTF ENUM: an enum whose values fit 32 bits; {@code signed} is the type's kind_flag. */
public record Enum(String name, int size, boolean signed, List<EnumValue> values) implements BtfType, EnumType {
    public Enum {
        name = Names.check(name);
        values = Names.copy(values, "values of ENUM ", name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.ENUM;
    }
}

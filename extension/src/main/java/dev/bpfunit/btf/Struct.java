package dev.bpfunit.btf;

import java.util.List;

/** BTF STRUCT: a {@code struct} of {@code size} bytes. */
public record Struct(String name, int size, List<Member> members) implements BtfType, CompositeType {
    public Struct {
        name = Names.check(name);
        members = Names.copy(members, "members of STRUCT ", name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.STRUCT;
    }
}

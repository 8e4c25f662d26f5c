package dev.bpfunit.btf;

import java.util.List;

/** BTF UNION: a {@code union} of {@code size} bytes. */
public record Union(String name, int size, List<Member> members) implements BtfType, CompositeType {
    public Union {
        name = Names.check(name);
        members = Names.copy(members, "members of UNION ", name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.UNION;
    }
}

package dev.bpfunit.btf;

import java.util.List;

/** What a struct and a union have in common: a size and members at bit offsets. */
public interface CompositeType {
    String name();

    /** Size in bytes. */
    int size();

    List<Member> members();

    /** The member with that name, if any (anonymous members are not looked through). */
    default java.util.Optional<Member> member(String name) {
        return members().stream().filter(m -> m.name().equals(name)).findFirst();
    }
}

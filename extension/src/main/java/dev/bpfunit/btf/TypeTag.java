package dev.bpfunit.btf;

/**
 * BTF TYPE_TAG: the tag {@code name} on type {@code type} (such as {@code __user} or {@code __rcu}).
 *
 * @param attribute the type's kind_flag: the tag is a plain {@code __attribute__} rather than a
 *                  {@code btf_type_tag} (kernel 6.14 and later)
 */
public record TypeTag(String name, int type, boolean attribute) implements BtfType {
    public TypeTag {
        name = Names.check(name);
    }

    /** A {@code btf_type_tag}. */
    public TypeTag(String name, int type) {
        this(name, type, false);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.TYPE_TAG;
    }
}

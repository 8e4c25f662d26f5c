package dev.bpfunit.btf;

/**
 * BTF DECL_TAG: the tag {@code name} on the declaration {@code type}, or on its member/parameter number
 * {@code componentIdx} ({@code -1}: the declaration itself).
 *
 * @param attribute the type's kind_flag: the tag is a plain {@code __attribute__} rather than a
 *                  {@code btf_decl_tag} (kernel 6.14 and later)
 */
public record DeclTag(String name, int type, int componentIdx, boolean attribute) implements BtfType {
    public DeclTag {
        name = Names.check(name);
        if (componentIdx < -1) {
            throw new BtfException("DECL_TAG '" + name + "': component index " + componentIdx + " < -1");
        }
    }

    /** A {@code btf_decl_tag}. */
    public DeclTag(String name, int type, int componentIdx) {
        this(name, type, componentIdx, false);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.DECL_TAG;
    }
}

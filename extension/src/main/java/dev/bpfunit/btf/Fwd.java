package dev.bpfunit.btf;

/** BTF FWD: a forward declaration of a struct, or of a union when {@code union} is set. */
public record Fwd(String name, boolean union) implements BtfType {
    public Fwd {
        name = Names.check(name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.FWD;
    }
}

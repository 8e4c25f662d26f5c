package dev.bpfunit.btf;

/** BTF PTR: a pointer to type {@code type}. */
public record Ptr(int type) implements BtfType {
    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.PTR;
    }
}

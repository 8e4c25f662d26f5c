package dev.bpfunit.btf;

/** BTF CONST: {@code const} applied to type {@code type}. */
public record Const(int type) implements BtfType {
    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.CONST;
    }
}

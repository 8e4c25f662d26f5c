package dev.bpfunit.btf;

/** BTF RESTRICT: {@code restrict} applied to type {@code type}. */
public record Restrict(int type) implements BtfType {
    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.RESTRICT;
    }
}

package dev.bpfunit.btf;

/** BTF VOLATILE: {@code volatile} applied to type {@code type}. */
public record Volatile(int type) implements BtfType {
    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.VOLATILE;
    }
}

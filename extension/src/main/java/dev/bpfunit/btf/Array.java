package dev.bpfunit.btf;

/** BTF ARRAY: {@code nelems} elements of type {@code type}, indexed by type {@code indexType}. */
public record Array(int type, int indexType, int nelems) implements BtfType {
    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.ARRAY;
    }
}

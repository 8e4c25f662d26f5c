package dev.bpfunit.btf;

/** BTF type id 0: {@code void}, the target of {@code void *} and the return type of procedures. */
public record Void() implements BtfType {
    @Override
    public String name() {
        return "";
    }

    @Override
    public BtfKind kind() {
        return BtfKind.VOID;
    }
}

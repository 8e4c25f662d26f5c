package dev.bpfunit.btf;

/** BTF TYPEDEF: {@code name} is another name of type {@code type}. */
public record Typedef(String name, int type) implements BtfType {
    public Typedef {
        name = Names.check(name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.TYPEDEF;
    }
}

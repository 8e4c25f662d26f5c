package dev.bpfunit.btf;

/** BTF VAR: a global variable of type {@code type}, listed in a DATASEC. */
public record Var(String name, int type, BtfLinkage linkage) implements BtfType {
    public Var {
        name = Names.check(name);
        if (linkage == null) {
            throw new BtfException("VAR '" + name + "': linkage must not be null");
        }
    }

    @Override
    public BtfKind kind() {
        return BtfKind.VAR;
    }
}

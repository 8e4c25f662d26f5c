package dev.bpfunit.btf;

/** BTF FUNC: a function (a BPF program or subprogram) whose signature is the FUNC_PROTO {@code type}. */
public record Func(String name, int type, BtfLinkage linkage) implements BtfType {
    public Func {
        name = Names.check(name);
        if (linkage == null) {
            throw new BtfException("FUNC '" + name + "': linkage must not be null");
        }
    }

    @Override
    public BtfKind kind() {
        return BtfKind.FUNC;
    }
}

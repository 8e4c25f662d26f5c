package dev.bpfunit.btf;

import java.util.List;

/** BTF DATASEC: an ELF data section ({@code .data}, {@code .bss}, {@code .rodata}, {@code .maps}...) and its variables. */
public record Datasec(String name, int size, List<VarSecinfo> vars) implements BtfType {
    public Datasec {
        name = Names.check(name);
        vars = Names.copy(vars, "vars of DATASEC ", name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.DATASEC;
    }
}

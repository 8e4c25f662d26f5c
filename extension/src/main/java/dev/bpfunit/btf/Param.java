package dev.bpfunit.btf;

/** A parameter of a FUNC_PROTO; a trailing {@code Param("", 0)} marks a variadic function. */
public record Param(String name, int type) {
    public Param {
        name = Names.check(name);
    }
}

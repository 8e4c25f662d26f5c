package dev.bpfunit.btf;

/** One enumerator of an ENUM or ENUM64: for an unsigned enum the value is the unsigned bit pattern. */
public record EnumValue(String name, long value) {
    public EnumValue {
        name = Names.check(name);
    }
}

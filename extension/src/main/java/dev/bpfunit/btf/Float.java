package dev.bpfunit.btf;

/** BTF FLOAT: a floating-point type of {@code size} bytes ({@code float}, {@code double}...). */
public record Float(String name, int size) implements BtfType {
    public Float {
        name = Names.check(name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.FLOAT;
    }
}

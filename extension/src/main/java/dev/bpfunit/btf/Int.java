package dev.bpfunit.btf;

/**
 * BTF INT: an integer type of {@code size} bytes holding {@code bits} bits starting at bit {@code offset}.
 *
 * @param encoding a combination of {@link #SIGNED}, {@link #CHAR} and {@link #BOOL} (0: unsigned)
 * @param offset   bit offset of the value within the type (non-zero only for old-style bitfields)
 * @param bits     number of bits of the value
 */
public record Int(String name, int size, int encoding, int offset, int bits) implements BtfType {
    /** {@code BTF_INT_SIGNED}. */
    public static final int SIGNED = 1;
    /** {@code BTF_INT_CHAR}. */
    public static final int CHAR = 2;
    /** {@code BTF_INT_BOOL}. */
    public static final int BOOL = 4;

    public Int {
        name = Names.check(name);
    }

    @Override
    public BtfKind kind() {
        return BtfKind.INT;
    }

    public boolean isSigned() {
        return (encoding & SIGNED) != 0;
    }

    public boolean isChar() {
        return (encoding & CHAR) != 0;
    }

    public boolean isBool() {
        return (encoding & BOOL) != 0;
    }
}

package dev.bpfunit.btf;

/** The kinds of BTF type, with the numbers {@code include/uapi/linux/btf.h} gives them. */
public enum BtfKind {
    VOID, INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC,
    FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64;

    private static final BtfKind[] BY_NUMBER = values();

    /** The kind's number in a {@code btf_type}'s info word ({@code BTF_KIND_*}). */
    public int number() {
        return ordinal();
    }

    /** The kind with that number; BtfException for an unknown number. */
    public static BtfKind of(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new BtfException("unknown BTF kind " + number + " (known: 0.." + (BY_NUMBER.length - 1) + ")");
        }
        return BY_NUMBER[number];
    }
}

package dev.bpfunit.btf;

/** The linkage of a BTF FUNC ({@code BTF_FUNC_*}) or VAR ({@code BTF_VAR_*}); both use the same numbers. */
public enum BtfLinkage {
    /** {@code BTF_FUNC_STATIC} / {@code BTF_VAR_STATIC}. */
    STATIC,
    /** {@code BTF_FUNC_GLOBAL} / {@code BTF_VAR_GLOBAL_ALLOCATED}. */
    GLOBAL,
    /** {@code BTF_FUNC_EXTERN} / {@code BTF_VAR_GLOBAL_EXTERN}. */
    EXTERN;

    /** The number stored in BTF. */
    public int number() {
        return ordinal();
    }

    static BtfLinkage of(int number, String where) {
        if (number < 0 || number >= values().length) {
            throw new BtfException(where + ": unknown linkage " + number + " (known: 0 static, 1 global, 2 extern)");
        }
        return values()[number];
    }
}

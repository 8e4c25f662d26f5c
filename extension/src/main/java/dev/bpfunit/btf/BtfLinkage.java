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

    private static final BtfLinkage[] VALUES = values();

    /** The linkage numbered {@code number} of the {@code kind} (FUNC, VAR) named {@code name}, which messages name. */
    static BtfLinkage of(int number, String kind, String name) {
        if (number < 0 || number >= VALUES.length) {
            throw new BtfException(kind + " '" + name + "': unknown linkage " + number
                    + " (known: 0 static, 1 global, 2 extern)");
        }
        return VALUES[number];
    }
}

package dev.bpfunit.btf;

/** The kinds of CO-RE relocation ({@code enum bpf_core_relo_kind}), with their numbers. */
public enum CoreReloKind {
    FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64,
    TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES;

    /** The relocation kind's number in {@code bpf_core_relo.kind}. */
    public int number() {
        return ordinal();
    }

    /** The kind with that number; BtfException for an unknown one. */
    public static CoreReloKind of(int number) {
        CoreReloKind[] all = values();
        if (number < 0 || number >= all.length) {
            throw new BtfException("unknown CO-RE relocation kind " + Integer.toUnsignedString(number)
                    + " (known: 0.." + (all.length - 1) + ")");
        }
        return all[number];
    }

    /** Whether the relocation is about a field (its access string has member indexes after the first). */
    public boolean isFieldBased() {
        return ordinal() <= FIELD_RSHIFT_U64.ordinal();
    }
}

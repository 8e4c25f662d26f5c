package dev.bpfunit.spec;

/**
 * An instruction of a linked program that needs a kernel object or value at load time.
 * The {@code slot} is the index of the 8-byte instruction slot in {@link ProgramSpec#instructions()}.
 */
public sealed interface Reference {

    /** The instruction slot to patch. */
    int slot();

    /** A 64-bit load of a map's file descriptor ({@code BPF_PSEUDO_MAP_FD}). */
    record MapFd(int slot, String map) implements Reference {
    }

    /** A 64-bit load of the address of a global data map's value at {@code offset} ({@code BPF_PSEUDO_MAP_VALUE}). */
    record MapValue(int slot, String map, int offset) implements Reference {
    }

    /**
     * A reference to an undefined (extern) symbol: a kfunc call or a {@code __ksym} variable ({@code __kconfig}
     * externs become {@link MapValue}s of the {@code .kconfig} map).
     *
     * @param call      whether the instruction is a call (a kfunc) rather than a 64-bit load (a ksym)
     * @param weak      whether the symbol is weak: absent from the kernel, it resolves to zero
     * @param btfTypeId in the object's BTF: the kfunc's FUNC, or the type a {@code __ksym} variable is declared
     *                  with (0 for {@code void}: an untyped ksym, resolved to its address); 0 without BTF
     */
    record Extern(int slot, String symbol, boolean call, boolean weak, int btfTypeId) implements Reference {
        /** An extern whose BTF type is unknown. */
        public Extern(int slot, String symbol, boolean call, boolean weak) {
            this(slot, symbol, call, weak, 0);
        }
    }
}

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

    /** A reference to an undefined (extern) symbol: a kfunc call, a {@code __ksym} or a {@code __kconfig} variable. */
    record Extern(int slot, String symbol, boolean call, boolean weak) implements Reference {
    }
}

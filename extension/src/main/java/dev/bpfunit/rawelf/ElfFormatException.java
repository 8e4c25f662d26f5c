package dev.bpfunit.rawelf;

import dev.bpfunit.error.BpfException;

/**
 * Signals an object file that is not a well-formed 64-bit little-endian BPF relocatable ELF.
 *
 * <p>The message names the file, says what is wrong and, where it can guess, what the user did
 * (for example compiled for the host instead of {@code -target bpf}).
 */
public class ElfFormatException extends BpfException {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }

    public ElfFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

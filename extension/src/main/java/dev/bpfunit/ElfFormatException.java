package dev.bpfunit;

import dev.bpfunit.error.BpfException;

/**
 * Signals an object file that is not a well-formed 64-bit little-endian BPF relocatable ELF: what
 * {@link BpfObject#load}, {@link BpfObjectLoader#spec()} and {@link BpfObjectLoader#load()} throw for a truncated,
 * corrupt or foreign file (an object compiled for the host instead of {@code -target bpf}, say).
 *
 * <p>The message names the file, says what is wrong and, where it can guess, what the user did. The ELF reader's
 * own exception, which says the same, is the cause.
 */
public class ElfFormatException extends BpfException {
    private static final long serialVersionUID = 1L;

    ElfFormatException(dev.bpfunit.rawelf.ElfFormatException cause) {
        super(cause.getMessage(), cause);
    }
}

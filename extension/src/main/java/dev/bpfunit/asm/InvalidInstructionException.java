package dev.bpfunit.asm;

import dev.bpfunit.error.BpfException;

/**
 * Signals instruction bytes that cannot be decoded: a slot beyond the end, a length that is not a
 * multiple of 8 bytes, or a 64-bit immediate load cut in half.
 */
public class InvalidInstructionException extends BpfException {
    private static final long serialVersionUID = 1L;

    public InvalidInstructionException(String message) {
        super(message);
    }
}

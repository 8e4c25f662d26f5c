package dev.bpfunit.btf;

import dev.bpfunit.error.BpfException;

/** Thrown when BTF or BTF.ext data is malformed, or a type query cannot be answered. */
public class BtfException extends BpfException {
    private static final long serialVersionUID = 1L;

    public BtfException(String message) {
        super(message);
    }

    public BtfException(String message, Throwable cause) {
        super(message, cause);
    }
}

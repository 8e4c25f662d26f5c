package dev.bpfunit.vm;

import dev.bpfunit.error.BpfException;

/**
 * The unchecked exception for everything that keeps a kernel VM or container from running a command:
 * a missing tool, a kernel that cannot be found or unpacked, a guest that did not finish.
 */
public class VmException extends BpfException {
    private static final long serialVersionUID = 1L;

    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.bpfunit.vm;

/**
 * The unchecked exception for everything that keeps a kernel VM or container from running a command:
 * a missing tool, a kernel that cannot be found or unpacked, a guest that did not finish.
 *
 * <p>It extends {@link RuntimeException} rather than {@code dev.bpfunit.BpfException} because this
 * module must not depend on the extension module; the JUnit integration wraps it where needed.
 */
public class VmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}

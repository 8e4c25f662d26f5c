package dev.bpfunit.error;

/**
 * The root of every exception bpfunit throws: unchecked, with a message a person can act on.
 *
 * <p>It lives in a leaf package of its own so that every layer ({@code sys}, {@code elf},
 * {@code btf}, {@code asm}, {@code packet}, the root) can throw it without pointing up, and a caller can catch
 * everything bpfunit throws with one clause. Each layer adds its context to the message as the error travels up, for example
 * {@code object xdp_fw.bpf.o: program xdp_fw: ...}.
 */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BpfException(String message) {
        super(message);
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.bpfunit;

/**
 * The root of every exception bpfunit throws: unchecked, with a message a person can act on.
 *
 * <p>This is the one type of the root package that the lower layers ({@code sys}, {@code elf},
 * {@code btf}, {@code asm}) may use, so that a caller can catch everything bpfunit throws with one
 * clause. Each layer adds its context to the message as the error travels up, for example
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

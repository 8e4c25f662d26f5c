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
    /**
     * The fix for EMFILE, which every BPF object costs several fds towards: one text for the ELF reader and the
     * bpf(2) hints, which both sit below this leaf.
     */
    public static final String TOO_MANY_OPEN_FILES = "this process has too many open files (its limit, ulimit -n, "
            + "is reached): close the BpfObjects you no longer need (try-with-resources; @BpfTest closes its own), "
            + "or raise the limit (ulimit -n 65536 in the shell that starts the JVM)";

    private static final long serialVersionUID = 1L;

    public BpfException(String message) {
        super(message);
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}

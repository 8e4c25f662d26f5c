package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;

/**
 * A failed {@code bpf(2)} (or other) system call, naming the command, the object it acted on, the
 * errno with its meaning and, where bpfunit knows one, a hint at the fix.
 *
 * <p>The message reads {@code <command> <subject>: <ERRNO> (<description>)[: <hint>]}, for example
 * {@code BPF_MAP_UPDATE_ELEM map 'blocklist' (fd 7): E2BIG (Argument list too long): map is full
 * (max_entries 1024)}. For a system call other than {@code bpf(2)} (such as {@code mmap}) the message
 * starts with that call's name and {@link #command()} is {@code null}.
 */
public class BpfSyscallException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final transient BpfCommand command;
    private final int errnoNumber;
    private final String subject;
    private final String hint;

    /** A failed {@code bpf(2)} command. */
    public BpfSyscallException(BpfCommand command, int errnoNumber, String subject, String hint) {
        this(command.name(), command, errnoNumber, subject, hint);
    }

    /** A failed system call other than {@code bpf(2)}, e.g. {@code "mmap"}. */
    public BpfSyscallException(String syscall, int errnoNumber, String subject, String hint) {
        this(syscall, null, errnoNumber, subject, hint);
    }

    private BpfSyscallException(String operation, BpfCommand command, int errnoNumber, String subject,
            String hint) {
        super(format(operation, errnoNumber, subject, hint));
        this.operation = operation;
        this.command = command;
        this.errnoNumber = Math.abs(errnoNumber);
        this.subject = subject == null ? "" : subject;
        this.hint = hint == null ? "" : hint;
    }

    private static String format(String operation, int errnoNumber, String subject, String hint) {
        Errno errno = Errno.of(errnoNumber);
        StringBuilder b = new StringBuilder(operation);
        if (subject != null && !subject.isEmpty()) {
            b.append(' ').append(subject);
        }
        b.append(": ");
        if (errno == Errno.UNKNOWN) {
            b.append("errno ").append(Math.abs(errnoNumber)).append(" (Unknown error)");
        } else {
            b.append(errno.name()).append(" (").append(errno.description()).append(')');
        }
        if (hint != null && !hint.isEmpty()) {
            b.append(": ").append(hint);
        }
        return b.toString();
    }

    /** The {@code bpf(2)} command that failed, or {@code null} if the failed call was not bpf(2). */
    public BpfCommand command() {
        return command;
    }

    /** The name of what failed: the command's name ({@code "BPF_MAP_CREATE"}) or the syscall's. */
    public String operation() {
        return operation;
    }

    /** The errno; {@link Errno#UNKNOWN} if the number is not one {@link Errno} knows. */
    public Errno errno() {
        return Errno.of(errnoNumber);
    }

    /** The positive errno number as the kernel returned it, also for {@link Errno#UNKNOWN}. */
    public int errnoNumber() {
        return errnoNumber;
    }

    /** The object the call acted on, e.g. {@code "map 'blocklist' (fd 7)"}; may be empty. */
    public String subject() {
        return subject;
    }

    /** What is likely wrong and how to fix it; {@code ""} when bpfunit has nothing to add. */
    public String hint() {
        return hint;
    }
}

package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.Optional;

/**
 * The kernel's verifier rejected a program: keeps the whole verifier log, and says in its message what
 * failed, at which instruction, from which source line, and what usually fixes it.
 */
public class VerifierException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String program;
    private final String errno;
    private final transient VerifierLog log;

    public VerifierException(String object, String program, String errno, VerifierLog log) {
        super(message(object, program, errno, log));
        this.program = program;
        this.errno = errno;
        this.log = log;
    }

    private static String message(String object, String program, String errno, VerifierLog log) {
        StringBuilder b = new StringBuilder();
        b.append("object ").append(object).append(": program ").append(program)
                .append(": the verifier rejected it (").append(errno).append(")");
        if (!log.errorLines().isEmpty()) {
            b.append(":\n  ").append(String.join("\n  ", log.errorLines()));
        }
        log.cause().ifPresent(c -> b.append("\n  because: ").append(c));
        log.failingInstruction().ifPresent(i -> b.append("\n  at instruction ").append(i.index()).append(": ")
                .append(i.text()));
        log.source().ifPresent(s -> b.append("\n  source: ").append(s));
        log.hint().ifPresent(h -> b.append("\n  hint: ").append(h));
        if (log.truncated()) {
            b.append("\n  (the verifier log was truncated)");
        }
        b.append("\n  (the whole log, ").append(log.text().lines().count())
                .append(" lines, is in VerifierException#log())");
        return b.toString();
    }

    /** The name of the rejected program. */
    public String program() {
        return program;
    }

    /** The errno of the failed load, e.g. {@code EACCES}. */
    public String errno() {
        return errno;
    }

    /** The verifier's whole log, as the kernel wrote it. */
    public String log() {
        return log.text();
    }

    /** The parsed log: error lines, failing instruction, source line, statistics. */
    public VerifierLog verifierLog() {
        return log;
    }

    /** The source line ({@code file:line: text}) of the failing instruction, when the object has line info. */
    public Optional<String> sourceLine() {
        return log.source();
    }
}

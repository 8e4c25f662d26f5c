package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.List;
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

    private final transient byte[] instructions;
    private final transient java.util.function.IntFunction<Optional<String>> sourceOf;

    public VerifierException(String object, String program, String errno, VerifierLog log) {
        this(object, program, errno, log, new byte[0], slot -> Optional.empty());
    }

    /**
     * A rejection of a program whose instructions (as loaded, 8 bytes a slot) and line info are known, so that
     * {@link #controlFlowGraphDot()} can draw it.
     */
    public VerifierException(String object, String program, String errno, VerifierLog log, byte[] instructions,
                             java.util.function.IntFunction<Optional<String>> sourceOf) {
        super(message(object, program, errno, log));
        this.program = program;
        this.errno = errno;
        this.log = log;
        this.instructions = instructions.clone();
        this.sourceOf = sourceOf;
    }

    /**
     * The program's control-flow graph in Graphviz DOT, each block with its instructions under their source
     * lines, the block of the failing instruction drawn in red; empty when the instructions are unknown (a
     * program the kernel refused for its size is not drawn either: it is too large to read).
     */
    public Optional<String> controlFlowGraphDot() {
        if (instructions == null || instructions.length == 0
                || log.rejectionCause() == VerifierCause.PROGRAM_TOO_LARGE) {
            return Optional.empty();
        }
        int marked = log.failingInstruction().map(VerifierLog.Instruction::index).orElse(-1);
        return Optional.of(dev.bpfunit.asm.ControlFlowGraph.of(instructions).toDot(program,
                slot -> sourceOf.apply(slot).orElse(null), marked));
    }

    private static String message(String object, String program, String errno, VerifierLog log) {
        StringBuilder b = new StringBuilder();
        b.append("object ").append(object).append(": program ").append(program);
        if (log.rejectionCause() == VerifierCause.PROGRAM_TOO_LARGE) {
            b.append(": ").append(log.errorLines().get(0)).append(" (").append(errno).append(")");
        } else {
            b.append(": the verifier rejected it (").append(errno).append(")");
            if (!log.errorLines().isEmpty()) {
                b.append(":\n  ").append(String.join("\n  ", log.errorLines()));
            }
        }
        b.append("\n  cause: ").append(log.rejectionCause()).append(": ").append(log.rejectionCause().explanation());
        log.cause().ifPresent(c -> b.append("\n  because: ").append(c));
        log.failingInstruction().ifPresent(i -> b.append("\n  at instruction ").append(i.index()).append(": ")
                .append(i.text()));
        log.source().ifPresent(s -> b.append("\n  source: ").append(s));
        log.hint().ifPresent(h -> b.append("\n  fix: ").append(h));
        List<VerifierLog.Step> context = log.context();
        if (context.size() > 1) {
            b.append("\n  the instructions leading to it:");
            String lastSource = null;
            for (VerifierLog.Step s : context) {
                String src = s.source().orElse(null);
                if (src != null && !src.equals(lastSource)) {
                    b.append("\n    ; ").append(src);
                    lastSource = src;
                }
                b.append(String.format("%n    %5d: %-36s", s.index(), s.text()));
                if (!s.state().isEmpty()) {
                    b.append(" ; ").append(s.state());
                }
            }
        }
        log.statistics().ifPresent(s -> {
            b.append("\n  verifier: ").append(s.processedInstructions()).append(" instructions processed, ")
                    .append(s.totalStates()).append(" states (peak ").append(s.peakStates()).append(")");
            s.timeMicros().ifPresent(t -> b.append(", ").append(t).append(" us"));
        });
        if (log.middleMissing()) {
            b.append("\n  (the verifier log was longer than the kernel keeps before 6.4: its start and its end are"
                    + " kept, not its middle)");
        } else if (log.truncated()) {
            b.append("\n  (the verifier log was truncated: its end is kept)");
        } else if (log.statisticsOnly()) {
            b.append("\n  (the verifier log is a load's with statistics only: its error lines and statistics, no"
                    + " trace of the instructions)");
        }
        b.append("\n  (the log, ").append(log.lineCount()).append(log.middleMissing() ? " lines of its start and end"
                : log.truncated() ? " lines of its end" : " lines").append(", is in VerifierException#log())");
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

    /** Why the program was rejected, as a type. */
    public VerifierCause rejectionCause() {
        return log.rejectionCause();
    }

    /** The source line ({@code file:line: text}) of the failing instruction, when the object has line info. */
    public Optional<String> sourceLine() {
        return log.source();
    }
}

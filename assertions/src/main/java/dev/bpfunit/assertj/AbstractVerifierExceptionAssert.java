package dev.bpfunit.assertj;

import dev.bpfunit.VerifierCause;
import dev.bpfunit.VerifierException;
import dev.bpfunit.VerifierLog;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on the diagnosis of a program the verifier rejected: its typed cause, its error lines, the
 * instruction and source line it points at, its fix, its statistics.
 *
 * @param <SELF> the concrete assertion type
 */
public abstract class AbstractVerifierExceptionAssert<SELF extends AbstractVerifierExceptionAssert<SELF>>
        extends AbstractObjectAssert<SELF, VerifierException> {

    protected AbstractVerifierExceptionAssert(VerifierException actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /** The rejected program is {@code program}. */
    public SELF ofProgram(String program) {
        isNotNull();
        if (!actual.program().equals(program)) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the verifier to reject program '" + program
                    + "' but it rejected '" + actual.program() + "':\n" + actual.getMessage()));
        }
        return myself;
    }

    /** One of the verifier's error lines contains a match of {@code regex} (e.g. {@code "invalid mem access"}). */
    public SELF withMessageMatching(String regex) {
        isNotNull();
        Pattern p = Pattern.compile(regex);
        if (actual.verifierLog().errorLines().stream().noneMatch(l -> p.matcher(l).find())) {
            throwAssertionError(BpfErrors.shouldHaveVerifierMessage(regex,
                    String.join("\n  ", actual.verifierLog().errorLines()), actual.log()));
        }
        return myself;
    }

    /** The failing instruction comes from line {@code line} of the source (needs BTF line info: build with -g). */
    public SELF atSourceLine(int line) {
        isNotNull();
        String source = actual.sourceLine().orElse(null);
        if (source == null || !source.matches("^[^:]*:" + line + ":.*")) {
            throwAssertionError(BpfErrors.shouldBeAtSourceLine(String.valueOf(line),
                    source == null ? "an unknown line (the object has no line info: build with -g)" : source,
                    actual.getMessage()));
        }
        return myself;
    }

    /** The failing instruction comes from {@code file:line} (the file's name without directories), e.g. {@code rejected.bpf.c:27}. */
    public SELF atSourceLine(String fileAndLine) {
        isNotNull();
        String source = actual.sourceLine().orElse(null);
        if (source == null || !source.startsWith(fileAndLine + ":")) {
            throwAssertionError(BpfErrors.shouldBeAtSourceLine(fileAndLine,
                    source == null ? "an unknown line (the object has no line info: build with -g)" : source,
                    actual.getMessage()));
        }
        return myself;
    }

    /** bpfunit's hint for this error contains {@code text}. */
    public SELF withHintContaining(String text) {
        isNotNull();
        String hint = actual.verifierLog().hint().orElse(null);
        if (hint == null || !hint.contains(text)) {
            throwAssertionError(new BpfErrors.Rendered("Expecting a hint containing \"" + text + "\" but the hint is "
                    + (hint == null ? "absent" : "\"" + hint + "\"") + "\n" + actual.getMessage()));
        }
        return myself;
    }

    /** The diagnosed cause is {@code cause}. */
    public SELF hasCause(VerifierCause cause) {
        isNotNull();
        if (cause == null) {
            throw new IllegalArgumentException("cause must not be null");
        }
        if (actual.rejectionCause() != cause) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the rejection's cause to be " + cause + " but it is "
                    + actual.rejectionCause() + "\n" + actual.getMessage()));
        }
        return myself;
    }

    /**
     * The verifier stopped at instruction {@code index} (the index in the loaded program, as the log counts), or
     * {@code index} is an instruction at fault (for a return value out of range, the one that last set R0; for an
     * unreleased reference, the one that acquired it).
     */
    public SELF atInstruction(int index) {
        isNotNull();
        if (index < 0) {
            throw new IllegalArgumentException("an instruction index is not negative, was " + index);
        }
        VerifierLog log = actual.verifierLog();
        Integer failing = log.failingInstruction().map(VerifierLog.Instruction::index).orElse(null);
        if ((failing == null || failing != index) && !log.faultInstructions().contains(index)) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the verifier to fail at instruction " + index
                    + " but it failed at " + (failing == null ? "no instruction (the log shows none)"
                    : "instruction " + failing) + (log.faultInstructions().isEmpty() ? ""
                    : " (instructions at fault: " + log.faultInstructions() + ")") + "\n" + actual.getMessage()));
        }
        return myself;
    }

    /**
     * The source line at fault is line {@code line} of {@code file} (its name without directories, e.g.
     * {@code "fw.bpf.c"}); needs BTF line info (build with -g).
     */
    public SELF atSourceLine(String file, int line) {
        isNotNull();
        if (file == null || file.isEmpty() || line <= 0) {
            throw new IllegalArgumentException("give a file name and a line number above 0, was " + file + ":" + line);
        }
        return atSourceLine(file + ":" + line);
    }

    /** bpfunit's fix for this rejection contains {@code text}. */
    public SELF withFixContaining(String text) {
        isNotNull();
        String fix = actual.verifierLog().fix();
        if (!fix.contains(text)) {
            throwAssertionError(new BpfErrors.Rendered("Expecting a fix containing \"" + text + "\" but the fix is \""
                    + fix + "\"\n" + actual.getMessage()));
        }
        return myself;
    }

    /** The verifier processed at most {@code limit} instructions before it gave up. */
    public SELF processedAtMostInstructions(int limit) {
        isNotNull();
        VerifierLog.Statistics s = statistics();
        if (s.processedInstructions() > limit) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the verifier to have processed at most " + limit
                    + " instructions but it processed " + s.processedInstructions() + "\n" + actual.getMessage()));
        }
        return myself;
    }

    /** The verifier kept at most {@code limit} states in total before it gave up. */
    public SELF keptAtMostStates(int limit) {
        isNotNull();
        VerifierLog.Statistics s = statistics();
        if (s.totalStates() > limit) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the verifier to have kept at most " + limit
                    + " states but it kept " + s.totalStates() + " (peak " + s.peakStates() + ")\n"
                    + actual.getMessage()));
        }
        return myself;
    }

    private VerifierLog.Statistics statistics() {
        return actual.verifierLog().statistics().orElseThrow(() -> new IllegalArgumentException("the rejection's "
                + "log has no statistics ('processed N insns' line)"));
    }
}

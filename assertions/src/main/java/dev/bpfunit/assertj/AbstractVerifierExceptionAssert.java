package dev.bpfunit.assertj;

import dev.bpfunit.VerifierException;
import java.util.regex.Pattern;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on the diagnosis of a program the verifier rejected: its error lines, the source line it
 * points at, its hint.
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
}

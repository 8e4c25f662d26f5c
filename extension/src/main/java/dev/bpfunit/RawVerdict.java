package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;

/**
 * A return value with no name for its program type: a socket filter's length, a syscall program's
 * result, or a value outside the type's named verdicts.
 *
 * @param type the program type that returned it
 * @param raw the return value
 */
public record RawVerdict(ProgramType type, int raw) implements Verdict {
    @Override
    public String name() {
        return Integer.toString(raw);
    }

    @Override
    public String toString() {
        return type + " returned " + raw;
    }
}

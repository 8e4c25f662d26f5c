package dev.bpfunit.junit;

import dev.bpfunit.error.BpfException;

/**
 * A {@link BpfTest} could not give a test what it asked for: an object did not load (the verifier rejected
 * a program, a map could not be created), or this process cannot use BPF and {@link BpfTest#REQUIRE} is set.
 * The cause, when there is one, is the loader's exception ({@code VerifierException} for a rejected program).
 */
public class BpfTestException extends BpfException {
    private static final long serialVersionUID = 1L;

    public BpfTestException(String message) {
        super(message);
    }

    public BpfTestException(String message, Throwable cause) {
        super(message, cause);
    }
}

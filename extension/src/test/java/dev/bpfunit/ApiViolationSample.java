package dev.bpfunit;

import dev.bpfunit.sys.Fd;

/** A deliberate API leak (a public method of the root package showing a sys type) that ArchitectureTest must catch. */
public final class ApiViolationSample {
    private final Fd fd = null;

    private ApiViolationSample() {
    }

    /** Shows the kernel layer's type to users. */
    public Fd descriptor() {
        return fd;
    }

    /** Package-private: not API, so not a violation. */
    Fd hidden() {
        return fd;
    }
}

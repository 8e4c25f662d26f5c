package dev.bpfunit;

import dev.bpfunit.spec.ProgramSpec;
import dev.bpfunit.spec.ProgramType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.ProgInfo;

/** A program loaded into the kernel (the verifier accepted it). Closed with its object. */
public final class BpfProgram implements AutoCloseable {

    private final ProgramSpec spec;
    private final Fd fd;
    private final VerifierLog verifierLog;

    BpfProgram(ProgramSpec spec, Fd fd) {
        this(spec, fd, null);
    }

    BpfProgram(ProgramSpec spec, Fd fd, VerifierLog verifierLog) {
        this.spec = spec;
        this.fd = fd;
        this.verifierLog = verifierLog;
    }

    /** The function's name. */
    public String name() {
        return spec.name();
    }

    /** The program type it was loaded as. */
    public ProgramType type() {
        return spec.type();
    }

    /** The linked definition it was loaded from. */
    public ProgramSpec spec() {
        return spec;
    }

    /**
     * The verifier's log of the accepted load, with its statistics ({@code processed N insns}), when the
     * loader asked for one ({@code BpfObjectLoader#logLevel(int)} 1 or 2); empty otherwise.
     */
    public java.util.Optional<VerifierLog> verifierLog() {
        return java.util.Optional.ofNullable(verifierLog);
    }

    /** The kernel's file descriptor for this program. */
    public Fd fd() {
        return fd;
    }

    /** What the kernel reports about the program ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public ProgInfo info() {
        return Bpf.progInfo(fd);
    }

    /**
     * Runs the program once on {@code data} ({@code BPF_PROG_TEST_RUN}) with the default output buffers;
     * see {@link #testRun()} for contexts, repetitions and flags.
     */
    public TestRun run(byte[] data) {
        return testRun().data(data).run();
    }

    /** A test run of this program to configure: data, context, repeat, CPU, live frames. */
    public TestRunBuilder testRun() {
        return new TestRunBuilder(this);
    }

    /** Closes the program's file descriptor. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "program '" + name() + "' (" + spec.type() + ", section " + spec.section() + ")";
    }
}

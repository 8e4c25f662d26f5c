package dev.bpfunit;

import java.util.Optional;

/**
 * The verifier accepts a program as compiled but refuses it once bpfunit instrumented it (coverage counters or
 * the deterministic helpers' rewrite): typically a program near the verifier's limit of a million processed
 * instructions, which the extra instructions per basic block push over. The message says both loads' outcomes,
 * the instrumented load's verifier reason, and what the test can do; the cause is the instrumented load's
 * {@link VerifierException}. When the verifier gave up on the instrumented program at its limit (E2BIG), that
 * exception's log is the one of a load with statistics only (its error lines and statistics, no trace): the trace of
 * a million instructions would cost about five times that load on 6.4+ kernels and shows bpfunit's rewrite, not the
 * program as compiled. {@code BpfObjectLoader.logLevel(1)} asks for the instrumented load's trace.
 */
public final class InstrumentationRefusedException extends ObjectLoadException {
    private static final long serialVersionUID = 1L;

    /** What was added to the program. */
    public enum Instrumentation {
        /** Basic-block counters ({@link BpfObjectLoader#coverage}). */
        COVERAGE("coverage counters"),
        /** The time, CPU and random helpers replaced ({@link BpfObjectLoader#clock}, {@link BpfObjectLoader#randomSeed}). */
        DETERMINISTIC_HELPERS("the deterministic helpers' rewrite");

        private final String text;

        Instrumentation(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final String program;
    private final Instrumentation instrumentation;
    private final int plainInstructions;
    private final int instrumentedInstructions;
    private final Integer plainProcessed;

    InstrumentationRefusedException(String objectName, String program, Instrumentation instrumentation,
                                    int plainInstructions, int instrumentedInstructions, Integer plainProcessed,
                                    VerifierException refusal) {
        super(objectName, message(program, instrumentation, plainInstructions, instrumentedInstructions,
                plainProcessed, refusal), refusal);
        this.program = program;
        this.instrumentation = instrumentation;
        this.plainInstructions = plainInstructions;
        this.instrumentedInstructions = instrumentedInstructions;
        this.plainProcessed = plainProcessed;
    }

    private static String message(String program, Instrumentation what, int plain, int instrumented,
                                  Integer processed, VerifierException refusal) {
        StringBuilder b = new StringBuilder("program '").append(program).append("' cannot be instrumented: the ")
                .append("verifier accepts it as compiled (").append(plain).append(" instructions");
        if (processed != null) {
            b.append(", ").append(processed).append(" processed");
        }
        b.append(") but refuses it with ").append(what).append(" (").append(instrumented).append(" instructions)");
        refusal.verifierLog().processedInstructions().ifPresent(n -> b.append(", after processing ").append(n)
                .append(" instructions"));
        b.append(": ").append(refusal.errno()).append(", ").append(refusal.rejectionCause()).append(": ")
                .append(refusal.rejectionCause().explanation());
        if (!refusal.verifierLog().errorLines().isEmpty()) {
            b.append("\n  the verifier said: ").append(String.join("\n    ", refusal.verifierLog().errorLines()));
        }
        b.append("\n  fix: ");
        if (what == Instrumentation.COVERAGE) {
            b.append("leave this program out of coverage with BpfObjectLoader.noCoverage(\"").append(program)
                    .append("\") or @BpfTest(noCoverage = \"").append(program)
                    .append("\") (the object's other programs keep their counters), or load the object with ")
                    .append("coverage(false); the coverage report then lists it as not instrumented");
        } else {
            b.append("test this program without clock() and randomSeed() (the kernel's own time and random "
                    + "helpers), or simplify it below the verifier's limit");
        }
        b.append("\n  (the instrumented load's verifier log is in getCause(), a VerifierException")
                .append(refusal.verifierLog().statisticsOnly() ? ": statistics only; BpfObjectLoader.logLevel(1) "
                        + "logs the instrumented program's trace)" : ")");
        return b.toString();
    }

    /** The program the verifier refused once instrumented. */
    public String program() {
        return program;
    }

    /** What made the difference. */
    public Instrumentation instrumentation() {
        return instrumentation;
    }

    /** The program's instruction count as compiled and linked. */
    public int plainInstructions() {
        return plainInstructions;
    }

    /** Its instruction count once instrumented. */
    public int instrumentedInstructions() {
        return instrumentedInstructions;
    }

    /** The instructions the verifier processed to accept the plain program, where the kernel reports it (5.16+). */
    public Optional<Integer> plainProcessedInstructions() {
        return Optional.ofNullable(plainProcessed);
    }

    /** The instrumented load's rejection (with statistics only when the verifier gave up at its limit). */
    public VerifierException refusal() {
        return (VerifierException) getCause();
    }
}

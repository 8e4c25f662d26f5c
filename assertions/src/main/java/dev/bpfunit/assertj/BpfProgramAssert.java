package dev.bpfunit.assertj;

import dev.bpfunit.BpfProgram;
import dev.bpfunit.VerifierLog;
import org.assertj.core.api.AbstractObjectAssert;

/** Assertions on a loaded {@link BpfProgram}: what the verifier reported when it accepted it. */
public class BpfProgramAssert extends AbstractObjectAssert<BpfProgramAssert, BpfProgram> {

    public BpfProgramAssert(BpfProgram actual) {
        super(actual, BpfProgramAssert.class);
    }

    /**
     * The verifier processed at most {@code limit} instructions when it accepted the program. Needs a loader
     * log level of 1 or 2 ({@code BpfObjectLoader#logLevel}, {@code @BpfTest(logLevel = 2)}).
     */
    public BpfProgramAssert wasAcceptedWithinInstructions(int limit) {
        isNotNull();
        if (limit <= 0) {
            throw new IllegalArgumentException("the instruction limit must be positive, was " + limit);
        }
        int processed = processed(actual);
        if (processed > limit) {
            throwAssertionError(BpfErrors.shouldBeAcceptedWithin("program '" + actual.name() + "'", limit,
                    "it took " + processed));
        }
        return myself;
    }

    /**
     * The verifier kept at most {@code limit} states in total ({@code total_states}) when it accepted the program.
     * Needs a loader log level of 1 or 2.
     */
    public BpfProgramAssert wasAcceptedWithinStates(int limit) {
        isNotNull();
        if (limit <= 0) {
            throw new IllegalArgumentException("the state limit must be positive, was " + limit);
        }
        VerifierLog.Statistics stats = statistics(actual);
        if (stats.totalStates() > limit) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the verifier to accept program '" + actual.name()
                    + "' within " + limit + " states, but it kept " + stats.totalStates() + " (peak "
                    + stats.peakStates() + ")"));
        }
        return myself;
    }

    static VerifierLog.Statistics statistics(BpfProgram p) {
        VerifierLog log = p.verifierLog().orElseThrow(() -> new IllegalArgumentException("program '" + p.name()
                + "' was loaded without a verifier log: load it with logLevel(2) (or @BpfTest(logLevel = 2))"));
        return log.statistics().orElseThrow(() -> new IllegalArgumentException("the verifier log of "
                + "program '" + p.name() + "' has no 'processed N insns' line: load it with logLevel(2)"));
    }

    static int processed(BpfProgram p) {
        VerifierLog log = p.verifierLog().orElseThrow(() -> new IllegalArgumentException("program '" + p.name()
                + "' was loaded without a verifier log: load it with logLevel(2) (or @BpfTest(logLevel = 2))"));
        return log.processedInstructions().orElseThrow(() -> new IllegalArgumentException("the verifier log of "
                + "program '" + p.name() + "' has no 'processed N insns' line: load it with logLevel(2)"));
    }
}

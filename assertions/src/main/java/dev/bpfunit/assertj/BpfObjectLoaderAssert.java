package dev.bpfunit.assertj;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.BpfObject;
import dev.bpfunit.BpfObjectLoader;
import dev.bpfunit.BpfProgram;
import dev.bpfunit.VerifierException;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions about what the verifier makes of an object: that it rejects it, or accepts every program
 * within an instruction budget. Each assertion loads the object (and closes it again).
 */
public class BpfObjectLoaderAssert extends AbstractObjectAssert<BpfObjectLoaderAssert, BpfObjectLoader> {

    public BpfObjectLoaderAssert(BpfObjectLoader actual) {
        super(actual, BpfObjectLoaderAssert.class);
    }

    /** Loading fails in the verifier; continue with assertions on its diagnosis. */
    public VerifierExceptionAssert isRejectedByVerifier() {
        isNotNull();
        try (BpfObject loaded = actual.load()) {
            throwAssertionError(BpfErrors.shouldBeRejected(loaded.name()));
            return null;
        } catch (VerifierException e) {
            return new VerifierExceptionAssert(e);
        } catch (BpfException e) {
            throwAssertionError(BpfErrors.shouldBeRejectedByVerifier(e));
            return null;
        }
    }

    /**
     * The verifier accepts every program while processing at most {@code limit} instructions each (the
     * {@code processed N insns} statistic of a level-2 log), a guard against complexity creeping towards the
     * kernel's limit of one million. Sets the loader's log level to 2.
     */
    public BpfObjectLoaderAssert isAcceptedWithinInstructions(int limit) {
        isNotNull();
        if (limit <= 0) {
            throw new IllegalArgumentException("the instruction limit must be positive, was " + limit);
        }
        List<String> over = new ArrayList<>();
        try (BpfObject loaded = actual.logLevel(2).load()) {
            for (BpfProgram p : loaded.programs()) {
                int processed = BpfProgramAssert.processed(p);
                if (processed > limit) {
                    over.add("program '" + p.name() + "' took " + processed);
                }
            }
        } catch (VerifierException e) {
            throwAssertionError(BpfErrors.shouldBeAcceptedWithin(e.program(), limit, "it was rejected:\n"
                    + e.getMessage()));
        }
        if (!over.isEmpty()) {
            throwAssertionError(BpfErrors.shouldBeAcceptedWithin("every program", limit, String.join("; ", over)));
        }
        return myself;
    }
}

package dev.bpfunit.assertj;

import dev.bpfunit.TestRun;
import dev.bpfunit.Verdict;
import java.util.Arrays;
import java.util.Objects;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on a {@link TestRun}: the return value, the verdict by name, and the data the program left,
 * compared byte by byte with a hex diff on failure.
 *
 * @param <SELF> the concrete assertion type
 */
public abstract class AbstractTestRunAssert<SELF extends AbstractTestRunAssert<SELF>>
        extends AbstractObjectAssert<SELF, TestRun> {

    protected AbstractTestRunAssert(TestRun actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /** The program returned exactly {@code expected}. */
    public SELF hasRetval(int expected) {
        isNotNull();
        if (actual.retval() != expected) {
            throwAssertionError(BpfErrors.shouldHaveRetval(actual, expected, actual.retval(), actual.verdict().name()));
        }
        return myself;
    }

    /** The program's return value means {@code expected} for its type ({@code XdpAction.DROP}, {@code TcAction.SHOT}). */
    public SELF hasVerdict(Verdict expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected verdict");
        Verdict v = actual.verdict();
        if (!v.equals(expected)) {
            throwAssertionError(BpfErrors.shouldHaveVerdict(actual, describe(expected), describe(v)));
        }
        return myself;
    }

    /** The output data equals {@code expected}, every byte and the length. */
    public SELF hasDataOut(byte[] expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected data");
        if (!Arrays.equals(actual.dataOut(), expected)) {
            throwAssertionError(BpfErrors.shouldHaveData("the output data", expected, actual.dataOut()));
        }
        return myself;
    }

    /** The program left the data exactly as it was given. */
    public SELF hasDataUnchanged() {
        isNotNull();
        if (!Arrays.equals(actual.dataOut(), actual.dataIn())) {
            throwAssertionError(BpfErrors.shouldHaveData("the output data (expected: unchanged input)",
                    actual.dataIn(), actual.dataOut()));
        }
        return myself;
    }

    /** The program changed the data (any byte, or its length). */
    public SELF hasDataChanged() {
        isNotNull();
        if (Arrays.equals(actual.dataOut(), actual.dataIn())) {
            throwAssertionError(BpfErrors.shouldHaveChangedData(actual.dataIn()));
        }
        return myself;
    }

    /**
     * The output holds {@code expected} at {@code offset}, and every other byte is as it was given: the
     * program changed exactly these bytes (or fewer, if some were already so).
     */
    public SELF hasDataChangedAt(int offset, byte... expected) {
        isNotNull();
        byte[] in = actual.dataIn();
        if (offset < 0 || offset + expected.length > in.length) {
            throw new IllegalArgumentException("offset " + offset + " and " + expected.length + " bytes reach past "
                    + "the " + in.length + " bytes of input data");
        }
        byte[] wanted = in.clone();
        System.arraycopy(expected, 0, wanted, offset, expected.length);
        if (!Arrays.equals(actual.dataOut(), wanted)) {
            throwAssertionError(BpfErrors.shouldHaveData("the output data (expected: the input with "
                    + expected.length + " bytes at offset " + offset + " replaced by " + HexDiff.hex(expected) + ")",
                    wanted, actual.dataOut()));
        }
        return myself;
    }

    private static String describe(Verdict v) {
        return v.name() + " (" + v.raw() + ", " + v.getClass().getSimpleName() + ")";
    }
}

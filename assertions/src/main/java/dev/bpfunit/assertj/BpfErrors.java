package dev.bpfunit.assertj;

import org.assertj.core.error.BasicErrorMessageFactory;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * The error message factories of the bpfunit assertions, one per kind of failure: each renders what was
 * expected and what was found for a person (verdicts by name, bytes as a hex diff, map entries decoded by BTF).
 */
public final class BpfErrors {

    private BpfErrors() {
    }

    /** A message built from already rendered text (no quoting of the parts, no format directives). */
    static final class Rendered extends BasicErrorMessageFactory {
        Rendered(String text) {
            super("%n%s", unquotedString(text));
        }
    }

    /** The run returned another value. */
    public static ErrorMessageFactory shouldHaveRetval(Object run, int expected, int actual, String verdict) {
        return new Rendered("Expecting the run " + run + "\nto return " + expected + " but it returned " + actual
                + " (" + verdict + ")");
    }

    /** The run ended with another verdict. */
    public static ErrorMessageFactory shouldHaveVerdict(Object run, String expected, String actual) {
        return new Rendered("Expecting the run " + run + "\nto end with " + expected + " but it ended with " + actual);
    }

    /**
     * The verdict asserted is not of the run's program type (an {@code XdpAction} on a tc program's run): the
     * mismatch first, then the run and how it ended.
     */
    public static ErrorMessageFactory shouldHaveVerdictOfRunType(Object run, String fits, String given,
                                                                 String actual) {
        return new Rendered("Expecting " + fits + ",\nbut the assertion gave " + given + "\n  run: " + run
                + "\n  it ended with " + actual);
    }

    /** The output bytes differ from those expected. */
    public static ErrorMessageFactory shouldHaveData(String what, byte[] expected, byte[] actual) {
        return new Rendered("Expecting " + what + " to be as expected, but:\n" + HexDiff.render(expected, actual));
    }

    /**
     * The output bytes differ from those expected, and both are packets: the differences by layer and field, then
     * where the packets were saved.
     */
    public static ErrorMessageFactory shouldHavePacketData(String what, String packetDiff, int firstDifference,
                                                           String saved) {
        return new Rendered("Expecting " + what + " to be as expected, but:\n" + packetDiff
                + "\n  (first differing byte at offset " + firstDifference + String.format(" (0x%04x)", firstDifference)
                + ")\n" + saved);
    }

    /** A packet differs from the expected one: the differences by layer and field, both packets, the saved file. */
    public static ErrorMessageFactory shouldEqualPacket(String subject, String packetDiff, String expected,
                                                        String actual, String saved) {
        return new Rendered("Expecting " + subject + " to equal the expected packet, but:\n" + packetDiff
                + "\n  expected: " + expected + "\n  actual:   " + actual + "\n" + saved);
    }

    /** A packet lacks a layer. */
    public static ErrorMessageFactory shouldHaveLayer(String subject, String layer, String packet, String saved) {
        return new Rendered("Expecting " + subject + " to have a" + (layer.matches("[AEIO].*") ? "n " : " ")
                + layer + " layer, but it is\n  " + packet + "\n" + saved);
    }

    /** A packet property or a header field has another value. */
    public static ErrorMessageFactory shouldHavePacketField(String subject, String field, String expected,
                                                           String actual, String packet, String saved) {
        return new Rendered("Expecting " + subject + " to have " + field + " " + expected + ", but it has " + actual
                + "\n  packet: " + packet + "\n" + saved);
    }

    /** Checksums are wrong or cannot be checked. */
    public static ErrorMessageFactory shouldHaveValidChecksums(String subject, String problems, String packet,
                                                               String saved) {
        return new Rendered("Expecting " + subject + " to have valid checksums, but:\n" + problems + "\n  packet: "
                + packet + "\n" + saved);
    }

    /** The output bytes equal the input though a change was expected. */
    public static ErrorMessageFactory shouldHaveChangedData(byte[] data) {
        return new Rendered("Expecting the program to change the data, but the output equals the input ("
                + data.length + " bytes):\n  " + HexDiff.hex(data));
    }

    /** A map lacks a key. */
    public static ErrorMessageFactory shouldContainKey(String map, String key, String dump) {
        return new Rendered("Expecting " + map + " to contain key " + key + " but it does not; it holds:\n" + dump);
    }

    /** A map has a key it should not have. */
    public static ErrorMessageFactory shouldNotContainKey(String map, String entry) {
        return new Rendered("Expecting " + map + " not to contain this key, but it holds\n  " + entry);
    }

    /** A map's value under a key differs. */
    public static ErrorMessageFactory shouldContainEntry(String map, String key, String expected, String actual) {
        return new Rendered("Expecting " + map + " to hold under key " + key + "\n  " + expected
                + "\nbut it holds\n  " + actual);
    }

    /** A map has another number of entries. */
    public static ErrorMessageFactory shouldHaveSize(String map, int expected, int actual, String dump) {
        return new Rendered("Expecting " + map + " to have " + expected + " entr" + (expected == 1 ? "y" : "ies")
                + " but it has " + actual + ":\n" + dump);
    }

    /** A global variable has another value. */
    public static ErrorMessageFactory shouldHaveGlobalValue(String name, String type, String expected, String actual) {
        return new Rendered("Expecting global " + type + " " + name + " to be " + expected + " but it is " + actual);
    }

    /** Runs took too long. */
    public static ErrorMessageFactory shouldRunFasterThan(long boundNs, String measurements) {
        return new Rendered("Expecting the median time per run to be below " + boundNs + " ns, but it is not:\n"
                + measurements);
    }

    /** The measurements vary too much to be trusted. */
    public static ErrorMessageFactory shouldBeSteady(double maxSpread, String measurements) {
        return new Rendered("Expecting the samples to vary by at most " + Math.round(maxSpread * 100)
                + "% around their median (the machine may be too noisy to measure), but:\n" + measurements);
    }

    /** The verifier accepted what should have been rejected. */
    public static ErrorMessageFactory shouldBeRejected(String what) {
        return new Rendered("Expecting the verifier to reject " + what + ", but it was accepted");
    }

    /** The load failed, but not in the verifier. */
    public static ErrorMessageFactory shouldBeRejectedByVerifier(Throwable t) {
        return new Rendered("Expecting the verifier to reject the program, but the load failed otherwise:\n  "
                + t.getClass().getName() + ": " + t.getMessage());
    }

    /** The verifier's message differs. */
    public static ErrorMessageFactory shouldHaveVerifierMessage(String regex, String errors, String log) {
        return new Rendered("Expecting the verifier's error to match\n  " + regex + "\nbut its error lines are\n  "
                + errors + "\n(whole log:\n" + log.strip() + ")");
    }

    /** The failing instruction came from another source line. */
    public static ErrorMessageFactory shouldBeAtSourceLine(String expected, String actual, String summary) {
        return new Rendered("Expecting the verifier to fail at source line " + expected + " but it failed at "
                + actual + "\n" + summary);
    }

    /** The verifier processed more instructions than allowed. */
    public static ErrorMessageFactory shouldBeAcceptedWithin(String program, int limit, String actual) {
        return new Rendered("Expecting the verifier to accept " + program + " within " + limit
                + " processed instructions, but " + actual);
    }
}

package dev.bpfunit.junit;

import dev.bpfunit.btf.BtfException;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.VariableSpec;
import java.util.HexFormat;

/**
 * Turns the text of a {@link Global} into the variable's bytes: {@code hex:} followed by the bytes, or any text
 * the one encoder of values ({@link VariableSpec#encode}) takes for the variable's type, so that {@code @Global}
 * accepts what {@code BpfObjectLoader.global} and {@code GlobalVariable.set} accept.
 */
final class GlobalValues {

    private GlobalValues() {
    }

    /**
     * The bytes of {@code text} for variable {@code v}.
     *
     * @throws IllegalArgumentException with what the value should look like, for the caller to put in context
     */
    static byte[] encode(ObjectSpec spec, VariableSpec v, String text) {
        String value = text.trim();
        if (value.startsWith("hex:")) {
            return hex(v, value.substring(4));
        }
        try {
            return v.encode(spec.btf(), value);
        } catch (BtfException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** How to describe the variable in a message: {@code const volatile __u16, 2 bytes}. */
    static String describe(ObjectSpec spec, VariableSpec v) {
        return v.describe(spec.btf());
    }

    private static byte[] hex(VariableSpec v, String digits) {
        byte[] b;
        try {
            b = HexFormat.of().parseHex(digits.replace(" ", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("after hex: give an even number of hex digits");
        }
        if (b.length != v.size()) {
            throw new IllegalArgumentException("hex: gives " + b.length + " bytes, the variable has " + v.size());
        }
        return b;
    }
}

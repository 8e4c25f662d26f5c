package dev.bpfunit.assertj;

import dev.bpfunit.GlobalVariable;
import java.util.Arrays;

/** Compares a global variable with an expected Java value, the way a person would write it. */
final class GlobalValue {

    private GlobalValue() {
    }

    /** Whether {@code v} holds {@code expected}: a number, a boolean, a string (char array or enumerator), or bytes. */
    static boolean matches(GlobalVariable v, Object expected) {
        if (expected instanceof byte[] b) {
            return Arrays.equals(v.bytes(), b);
        }
        if (expected instanceof Boolean b) {
            return (v.asLong() != 0) == b;
        }
        if (expected instanceof Float || expected instanceof Double) {
            return v.value().asDouble() == ((Number) expected).doubleValue();
        }
        if (expected instanceof Number n) {
            return v.asLong() == n.longValue();
        }
        if (expected instanceof CharSequence s) {
            return s.toString().equals(text(v));
        }
        throw new IllegalArgumentException("cannot compare global '" + v.name() + "' with a "
                + (expected == null ? "null" : expected.getClass().getName())
                + ": pass a number, boolean, String or byte[]");
    }

    /** The value as a person reads it: decoded by BTF when there is BTF, else hex. */
    static String render(GlobalVariable v) {
        try {
            return v.value().toString();
        } catch (RuntimeException e) {
            return "bytes " + HexDiff.hex(v.bytes());
        }
    }

    private static String text(GlobalVariable v) {
        try {
            return v.value().asString();
        } catch (RuntimeException notAString) {
            try {
                return v.value().asEnumName();
            } catch (RuntimeException notAnEnum) {
                return render(v);
            }
        }
    }

    static String expected(Object expected) {
        return expected instanceof byte[] b ? "bytes " + HexDiff.hex(b)
                : expected instanceof CharSequence s ? "\"" + s + "\"" : String.valueOf(expected);
    }
}

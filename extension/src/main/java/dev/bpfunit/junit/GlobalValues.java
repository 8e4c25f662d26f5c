package dev.bpfunit.junit;

import dev.bpfunit.btf.Array;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfType;
import dev.bpfunit.btf.Enum;
import dev.bpfunit.btf.EnumValue;
import dev.bpfunit.btf.Int;
import dev.bpfunit.spec.ObjectSpec;
import dev.bpfunit.spec.VariableSpec;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/** Turns the text of a {@link Global} into the variable's bytes, by the variable's BTF type. */
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
        Btf btf = spec.btf();
        BtfType type = btf != null && v.btfTypeId() != 0 ? btf.resolvedType(v.btfTypeId()) : null;
        if (value.startsWith("hex:")) {
            return hex(v, value.substring(4));
        }
        if (type instanceof Int i && i.isBool()) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> new byte[]{1};
                case "false", "0" -> new byte[]{0};
                default -> throw new IllegalArgumentException("give true or false");
            };
        }
        if (type instanceof Int i) {
            return integer(value, v.size(), i.isSigned(), false);
        }
        if (type instanceof Enum e) {
            for (EnumValue ev : e.values()) {
                if (ev.name().equals(value)) {
                    return integer(Long.toString(ev.value()), v.size(), true, true);
                }
            }
            return integer(value, v.size(), e.signed(), true);
        }
        if (type instanceof dev.bpfunit.btf.Float) {
            try {
                ByteBuffer b = ByteBuffer.allocate(v.size()).order(ByteOrder.LITTLE_ENDIAN);
                if (v.size() == 4) {
                    b.putFloat(Float.parseFloat(value));
                } else if (v.size() == 8) {
                    b.putDouble(Double.parseDouble(value));
                } else {
                    throw new IllegalArgumentException("give it as hex: followed by " + v.size() + " bytes");
                }
                return b.array();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("give a decimal number such as 1.5");
            }
        }
        if (type instanceof Array a && btf.resolvedType(a.type()) instanceof Int elem && elem.size() == 1) {
            byte[] s = value.getBytes(StandardCharsets.UTF_8);
            if (s.length > v.size()) {
                throw new IllegalArgumentException("the string is " + s.length + " bytes, the array holds "
                        + v.size());
            }
            byte[] out = new byte[v.size()];
            System.arraycopy(s, 0, out, 0, s.length);
            return out;
        }
        if (type == null && (v.size() == 1 || v.size() == 2 || v.size() == 4 || v.size() == 8)) {
            return integer(value, v.size(), true, true); // no BTF: either signedness
        }
        throw new IllegalArgumentException("give it as hex: followed by its " + v.size() + " bytes, e.g. hex:"
                + "00".repeat(Math.min(v.size(), 8)) + (v.size() > 8 ? "..." : ""));
    }

    /** How to describe the variable in a message: {@code const volatile __u16, 2 bytes}. */
    static String describe(ObjectSpec spec, VariableSpec v) {
        String type = spec.btf() != null && v.btfTypeId() != 0 ? spec.btf().describe(v.btfTypeId()) + ", " : "";
        return type + v.size() + (v.size() == 1 ? " byte" : " bytes");
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

    private static byte[] integer(String value, int size, boolean signed, boolean eitherSign) {
        BigInteger n;
        try {
            String s = value.replace("_", "");
            boolean negative = s.startsWith("-");
            String digits = negative ? s.substring(1) : s;
            n = digits.startsWith("0x") || digits.startsWith("0X")
                    ? new BigInteger(digits.substring(2), 16) : new BigInteger(digits);
            if (negative) {
                n = n.negate();
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("give an integer (decimal or 0x hex)");
        }
        int bits = size * 8;
        BigInteger min = signed || eitherSign ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = (signed && !eitherSign ? BigInteger.ONE.shiftLeft(bits - 1) : BigInteger.ONE.shiftLeft(bits))
                .subtract(BigInteger.ONE);
        if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
            throw new IllegalArgumentException(value + " does not fit: give a value from " + min + " to " + max);
        }
        long bitsValue = n.longValue();
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) (bitsValue >>> (8 * i));
        }
        return out;
    }
}

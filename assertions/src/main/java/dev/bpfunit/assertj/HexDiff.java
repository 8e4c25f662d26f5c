package dev.bpfunit.assertj;

import java.util.Arrays;

/** Renders two byte arrays side by side as hex, 16 bytes a row, marking the rows that differ. */
final class HexDiff {

    private static final int ROW = 16;

    private HexDiff() {
    }

    /** The offset of the first byte that differs (or the shorter length), or -1 when they are equal. */
    static int firstDifference(byte[] expected, byte[] actual) {
        int m = Arrays.mismatch(expected, actual);
        return m;
    }

    static String render(byte[] expected, byte[] actual) {
        int first = firstDifference(expected, actual);
        StringBuilder b = new StringBuilder();
        if (first < 0) {
            return "(equal, " + expected.length + " bytes)";
        }
        b.append("first difference at offset ").append(first).append(String.format(" (0x%04x)", first));
        if (first < expected.length && first < actual.length) {
            b.append(String.format(": expected 0x%02x, was 0x%02x", expected[first] & 0xff, actual[first] & 0xff));
        }
        b.append("; expected ").append(expected.length).append(" bytes, actual ").append(actual.length)
                .append(" bytes\n");
        b.append(String.format("  %-6s  %-47s  %s%n", "offset", "expected", "actual"));
        int rows = (Math.max(expected.length, actual.length) + ROW - 1) / ROW;
        for (int r = 0; r < rows; r++) {
            int from = r * ROW;
            String e = row(expected, from);
            String a = row(actual, from);
            b.append(e.equals(a) ? "  " : "> ").append(String.format("%04x    %-47s  %-47s", from, e, a).stripTrailing());
            if (r < rows - 1) {
                b.append('\n');
            }
        }
        return b.toString();
    }

    static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            b.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
        }
        return b.toString();
    }

    private static String row(byte[] bytes, int from) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < Math.min(from + ROW, bytes.length); i++) {
            b.append(i == from ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
        }
        return b.toString();
    }
}

package dev.bpfunit.packet;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The field-by-field differences between an expected and an actual packet, rendered as a table for a failure message.
 *
 * <pre>
 * packets differ in 2 fields (expected vs actual):
 *   layer     field     expected   actual
 *   IPv4 #1   dst       10.0.0.2   10.0.0.3
 *   UDP #2    checksum  0x1c3e     0x1b3e
 * </pre>
 *
 * Layers are compared at the same position; addresses print as addresses and flags by name, and payload
 * bytes as hex around the first differing byte.
 */
public final class PacketDiff {
    /**
     * One differing field.
     *
     * @param layerIndex the position of the layer in the packet
     * @param layer the layer's protocol name
     * @param field the field name, or {@code layer} when the layers themselves differ in kind
     */
    public record Row(int layerIndex, String layer, String field, String expected, String actual) {
    }

    private final List<Row> rows;

    private PacketDiff(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static PacketDiff of(Packet expected, Packet actual) {
        Objects.requireNonNull(expected, "expected packet");
        Objects.requireNonNull(actual, "actual packet");
        List<Row> rows = new ArrayList<>();
        List<Layer> e = expected.layers();
        List<Layer> a = actual.layers();
        for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
            Layer x = i < e.size() ? e.get(i) : null;
            Layer y = i < a.size() ? a.get(i) : null;
            if (x != null && y != null && x.getClass() == y.getClass()) {
                compareFields(i, x, y, rows);
            } else {
                rows.add(new Row(i, (x != null ? x : y).name(), "layer", describe(x), describe(y)));
            }
        }
        return new PacketDiff(rows);
    }

    /** Parses both frames as Ethernet and compares them. */
    public static PacketDiff of(byte[] expected, byte[] actual) {
        return of(Packet.parse(expected), Packet.parse(actual));
    }

    public List<Row> rows() {
        return rows;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    private static String describe(Layer l) {
        if (l == null) {
            return "(none)";
        }
        if (l instanceof Payload || l instanceof Trailer || l instanceof Malformed) {
            return l.toString();
        }
        return l.name();
    }

    private static void compareFields(int index, Layer x, Layer y, List<Row> rows) {
        for (RecordComponent c : x.getClass().getRecordComponents()) {
            Object ex = value(c, x);
            Object ac = value(c, y);
            if (Objects.equals(ex, ac)) {
                continue;
            }
            if (ex instanceof Bytes eb && ac instanceof Bytes ab && !(x instanceof Tcp && c.getName().equals("options"))) {
                int at = firstDifference(eb, ab);
                rows.add(new Row(index, x.name(), c.getName() + " @" + at, hexAround(eb, at), hexAround(ab, at)));
            } else {
                rows.add(new Row(index, x.name(), c.getName(), format(x, c.getName(), ex), format(y, c.getName(), ac)));
            }
        }
    }

    private static Object value(RecordComponent c, Layer l) {
        try {
            return c.getAccessor().invoke(l);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + l.name(), e);
        }
    }

    private static String format(Layer l, String field, Object v) {
        if (v instanceof Integer i && field.toLowerCase(java.util.Locale.ROOT).contains("checksum")) {
            return String.format("0x%04x", i);
        }
        if (l instanceof Tcp t && field.equals("options")) {
            return t.optionList().toString() + " (" + t.options().hex() + ")";
        }
        return String.valueOf(v);
    }

    private static int firstDifference(Bytes a, Bytes b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.get(i) != b.get(i)) {
                return i;
            }
        }
        return n;
    }

    /** Up to 8 bytes before and 8 from {@code at}, with the length. */
    private static String hexAround(Bytes b, int at) {
        int from = Math.max(0, at - 8);
        int to = Math.min(b.length(), at + 8);
        StringBuilder sb = new StringBuilder();
        sb.append(from > 0 ? ".." : "");
        for (int i = from; i < to; i++) {
            sb.append(i == at ? "[" : "").append(String.format("%02x", b.get(i))).append(i == at ? "]" : "");
        }
        sb.append(to < b.length() ? ".." : "").append(" (").append(b.length()).append(" bytes)");
        return sb.toString();
    }

    /** The table, or {@code packets are equal}. */
    @Override
    public String toString() {
        if (rows.isEmpty()) {
            return "packets are equal";
        }
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"layer", "field", "expected", "actual"});
        for (Row r : rows) {
            cells.add(new String[] {r.layer() + " #" + r.layerIndex(), r.field(), r.expected(), r.actual()});
        }
        int[] w = new int[3];
        for (String[] c : cells) {
            for (int i = 0; i < 3; i++) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        StringBuilder sb = new StringBuilder("packets differ in ").append(rows.size())
                .append(rows.size() == 1 ? " field" : " fields").append(" (expected vs actual):");
        for (String[] c : cells) {
            sb.append("\n  ");
            for (int i = 0; i < 3; i++) {
                sb.append(c[i]).append(" ".repeat(w[i] - c[i].length() + 2));
            }
            sb.append(c[3]);
        }
        return sb.toString();
    }
}

package dev.bpfunit.packet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The verdict a program gave for each packet of a capture, for replaying a pcap through a program and asserting on the result.
 *
 * <pre>{@code
 * VerdictTable<Integer> table = VerdictTable.replay(PcapReader.read(path), p -> program.run(p.bytes()).returnValue());
 * assertThat(table.counts()).containsEntry(XDP_DROP, 3L);
 * }</pre>
 *
 * @param <V> the verdict type, such as an XDP action
 */
public final class VerdictTable<V> {
    /** One replayed packet and its verdict. */
    public record Row<V>(int index, PcapPacket capture, Packet packet, V verdict) {
    }

    private final List<Row<V>> rows;

    private VerdictTable(List<Row<V>> rows) {
        this.rows = List.copyOf(rows);
    }

    /** Runs {@code program} on each packet in order and collects the verdicts. */
    public static <V> VerdictTable<V> replay(List<PcapPacket> capture, Function<Packet, V> program) {
        Objects.requireNonNull(program, "program");
        List<Row<V>> rows = new ArrayList<>();
        for (int i = 0; i < capture.size(); i++) {
            PcapPacket c = capture.get(i);
            Packet p = c.packet();
            rows.add(new Row<>(i, c, p, program.apply(p)));
        }
        return new VerdictTable<>(rows);
    }

    public List<Row<V>> rows() {
        return rows;
    }

    public List<V> verdicts() {
        return rows.stream().map(Row::verdict).toList();
    }

    /** How many packets got each verdict, in order of first appearance. */
    public Map<V, Long> counts() {
        Map<V, Long> m = new LinkedHashMap<>();
        rows.forEach(r -> m.merge(r.verdict(), 1L, Long::sum));
        return m;
    }

    /** The rows whose verdict is {@code verdict}. */
    public List<Row<V>> withVerdict(V verdict) {
        return rows.stream().filter(r -> Objects.equals(r.verdict(), verdict)).toList();
    }

    /** One line per packet: index, verdict and packet summary. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int w = rows.stream().mapToInt(r -> String.valueOf(r.verdict()).length()).max().orElse(7);
        for (Row<V> r : rows) {
            String v = String.valueOf(r.verdict());
            sb.append(String.format("#%-4d %s%s  %s%n", r.index(), v, " ".repeat(w - v.length()), r.packet().summary()));
        }
        return sb.toString();
    }
}

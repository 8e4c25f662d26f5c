package dev.bpfunit.asm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compares the disassembly of programs as this kernel translated them with what the kernel's own
 * disassembler printed through {@code bpftool prog dump xlated} (both committed by {@code regen.sh}).
 */
class DisassemblerBpftoolTest {
    private static final Pattern LINE = Pattern.compile("^\\s*(\\d+): \\(([0-9a-f]{2})\\) (.*)$");

    @ParameterizedTest
    @CsvSource({"xdp_fw, 40", "alu, 120", "extern, 35"})
    void matchesBpftoolXlated(String fixture, int minimumExact) throws IOException {
        Map<Integer, String> expected = parse(List.of(resource(fixture + ".xlated.txt").split("\n")));
        Map<Integer, String> actual = parse(Disassembler.disassemble(resourceBytes(fixture + ".xlated.bin")));
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        int exact = 0;
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            String want = e.getValue();
            String got = actual.get(e.getKey());
            String where = fixture + " slot " + e.getKey();
            if (want.startsWith("(85) call ")) {
                // After JIT the kernel rewrites call immediates: a helper id becomes a kernel address
                // (bpftool shows its symbol), a bpf-to-bpf call keeps its distance in the offset
                // field and its subprogram number in imm. Only the kind of call is comparable.
                assertThat(got).as(where).startsWith(want.startsWith("(85) call pc") ? "(85) call pc" : "(85) call ");
                continue;
            }
            if (want.startsWith("(18) ")) {
                // bpftool shows map ids where, before loading, there are fds; and no "ll" suffix.
                want = want.matches("\\(18\\) r\\d+ = 0x[0-9a-f]+") ? want + " ll" : want.replace("map[id:", "map[fd:");
            }
            assertThat(got).as(where).isEqualTo(want);
            exact++;
        }
        assertThat(exact).isGreaterThanOrEqualTo(minimumExact);
    }

    private static Map<Integer, String> parse(List<String> lines) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                out.put(Integer.parseInt(m.group(1)), "(" + m.group(2) + ") " + m.group(3));
            }
        }
        return out;
    }

    private static byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = DisassemblerBpftoolTest.class.getResourceAsStream("/elf/" + name)) {
            assertThat(in).as("fixture /elf/" + name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String resource(String name) throws IOException {
        return new String(resourceBytes(name), StandardCharsets.UTF_8);
    }
}

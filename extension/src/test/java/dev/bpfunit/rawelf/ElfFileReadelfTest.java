package dev.bpfunit.rawelf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cross-checks the reader against {@code llvm-readelf -S -s -r} output committed beside each fixture. */
class ElfFileReadelfTest {
    private static final Pattern SECTION = Pattern.compile(
            "^\\s*\\[\\s*(\\d+)\\] (.*?)\\s+(\\S+)\\s+[0-9a-f]{16} ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)\\s+"
                    + "([A-Za-z]*)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");
    private static final Pattern SYMBOL = Pattern.compile(
            "^\\s*(\\d+): ([0-9a-f]{16})\\s+(\\d+) (\\w+)\\s+(\\w+)\\s+(\\w+)\\s+(\\w+) ?(.*)$");
    private static final Pattern REL_HEADER = Pattern.compile("^Relocation section '(.*)' at offset .*$");
    private static final Pattern REL = Pattern.compile(
            "^([0-9a-f]{16})\\s+([0-9a-f]{16})\\s+(R_BPF_\\w+)\\s+[0-9a-f]{16}\\s+(.*)$");

    private static final Map<String, Integer> TYPES = Map.of("NULL", Elf.SHT_NULL, "PROGBITS", Elf.SHT_PROGBITS,
            "SYMTAB", Elf.SHT_SYMTAB, "STRTAB", Elf.SHT_STRTAB, "RELA", Elf.SHT_RELA, "NOBITS", Elf.SHT_NOBITS,
            "REL", Elf.SHT_REL, "LLVM_ADDRSIG", 0x6fff4c03);
    private static final Map<Character, Long> FLAGS = Map.of('W', Elf.SHF_WRITE, 'A', Elf.SHF_ALLOC,
            'X', Elf.SHF_EXECINSTR, 'M', Elf.SHF_MERGE, 'S', Elf.SHF_STRINGS, 'I', Elf.SHF_INFO_LINK,
            'E', 0x80000000L);
    private static final List<String> SYMBOL_TYPES = List.of("NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE");
    private static final List<String> BINDS = List.of("LOCAL", "GLOBAL", "WEAK");
    private static final List<String> VISIBILITIES = List.of("DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED");

    @ParameterizedTest
    @ValueSource(strings = {"xdp_fw", "alu", "extern"})
    void sectionsMatchReadelf(String fixture) {
        ElfFile elf = ElfFile.parse(Fixtures.bytes(fixture + ".bpf.o"), fixture + ".bpf.o");
        List<String> expected = new ArrayList<>();
        for (String line : Fixtures.text(fixture + ".readelf.txt").split("\n")) {
            Matcher m = SECTION.matcher(line);
            if (m.matches()) {
                long flags = 0;
                for (char c : m.group(7).toCharArray()) {
                    flags |= FLAGS.get(c);
                }
                expected.add(String.join(" ", m.group(1), "'" + m.group(2) + "'",
                        String.valueOf(TYPES.get(m.group(3))), String.valueOf(Long.parseLong(m.group(4), 16)),
                        String.valueOf(Long.parseLong(m.group(5), 16)), String.valueOf(Long.parseLong(m.group(6), 16)),
                        String.valueOf(flags), m.group(8), m.group(9), m.group(10)));
            }
        }
        List<String> actual = elf.sections().stream()
                .map(s -> String.join(" ", String.valueOf(s.index()), "'" + s.name() + "'", String.valueOf(s.type()),
                        String.valueOf(s.offset()), String.valueOf(s.size()), String.valueOf(s.entsize()),
                        String.valueOf(s.flags()), String.valueOf(s.link()), String.valueOf(s.info()),
                        String.valueOf(s.addralign())))
                .collect(Collectors.toList());
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(actual).containsExactlyElementsOf(expected);
        for (ElfSection s : elf.sections()) {
            assertThat(s.dataLength()).as(s.name()).isEqualTo(s.isNoBits() || s.index() == 0 ? 0 : (int) s.size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xdp_fw", "alu", "extern"})
    void symbolsMatchReadelf(String fixture) {
        ElfFile elf = ElfFile.parse(Fixtures.bytes(fixture + ".bpf.o"), fixture + ".bpf.o");
        List<String> expected = new ArrayList<>();
        for (String line : Fixtures.text(fixture + ".readelf.txt").split("\n")) {
            Matcher m = SYMBOL.matcher(line);
            if (m.matches()) {
                String ndx = switch (m.group(7)) {
                    case "UND" -> "0";
                    case "ABS" -> String.valueOf(Elf.SHN_ABS);
                    case "COM" -> String.valueOf(Elf.SHN_COMMON);
                    default -> m.group(7);
                };
                expected.add(String.join(" ", m.group(1), String.valueOf(Long.parseLong(m.group(2), 16)), m.group(3),
                        String.valueOf(SYMBOL_TYPES.indexOf(m.group(4))), String.valueOf(BINDS.indexOf(m.group(5))),
                        String.valueOf(VISIBILITIES.indexOf(m.group(6))), ndx, "'" + m.group(8) + "'"));
            }
        }
        List<String> actual = elf.symbols().stream()
                .map(s -> String.join(" ", String.valueOf(s.index()), String.valueOf(s.value()),
                        String.valueOf(s.size()), String.valueOf(s.type()), String.valueOf(s.bind()),
                        String.valueOf(s.visibility()), String.valueOf(s.sectionIndex()), "'" + displayName(elf, s)
                                + "'"))
                .collect(Collectors.toList());
        assertThat(expected).hasSizeGreaterThan(10);
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"xdp_fw", "alu", "extern"})
    void relocationsMatchReadelf(String fixture) {
        ElfFile elf = ElfFile.parse(Fixtures.bytes(fixture + ".bpf.o"), fixture + ".bpf.o");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : Fixtures.text(fixture + ".readelf.txt").split("\n")) {
            Matcher header = REL_HEADER.matcher(line);
            Matcher m = REL.matcher(line);
            if (header.matches()) {
                current = new ArrayList<>();
                expected.put(header.group(1), current);
            } else if (m.matches() && current != null) {
                long info = Long.parseUnsignedLong(m.group(2), 16);
                current.add(Long.parseLong(m.group(1), 16) + " " + m.group(3) + " " + (info >>> 32) + " " + m.group(4));
            }
        }
        assertThat(expected).hasSizeGreaterThan(3);
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            ElfSection rel = elf.section(e.getKey()).orElseThrow();
            ElfSection target = elf.section(rel.info());
            List<String> actual = elf.relocations(target).stream()
                    .map(r -> r.offset() + " " + Elf.relocationTypeName(r.type()) + " " + r.symbolIndex() + " "
                            + displayName(elf, elf.symbol(r.symbolIndex())))
                    .collect(Collectors.toList());
            assertThat(actual).as(e.getKey()).containsExactlyElementsOf(e.getValue());
        }
    }

    /** readelf shows a section symbol by its section's name. */
    private static String displayName(ElfFile elf, ElfSymbol s) {
        return s.isSection() && s.name().isEmpty() ? elf.section(s.sectionIndex()).name() : s.name();
    }
}

package dev.bpfunit.btf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Test helper: the symbol and section tables of types.bpf.o, as llvm-objdump printed them (see regen.sh). */
final class ObjdumpFacts implements BtfFixups.DatasecInfo {
    record Symbol(long value, boolean function, String section, long size, String name) {
    }

    final List<Symbol> symbols = new ArrayList<>();
    final Map<String, Long> sectionSizes = new HashMap<>();

    ObjdumpFacts(String fixture) {
        // 00000000000000a0 l     O .data	0000000000000004 static_counter
        for (String line : Fixtures.text(fixture + ".symbols.txt").split("\n")) {
            String[] tab = line.split("\t");
            String[] left = tab[0].trim().split("\\s+");
            String[] right = tab[1].trim().split("\\s+");
            if (right.length == 2) {
                symbols.add(new Symbol(Long.parseLong(left[0], 16), tab[0].contains(" F "), left[left.length - 1],
                        Long.parseLong(right[0], 16), right[1]));
            }
        }
        //   5 .data                  000000a4 0000000000000000 DATA
        for (String line : Fixtures.text(fixture + ".sections.txt").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4) {
                sectionSizes.put(f[1], Long.parseLong(f[2], 16));
            }
        }
    }

    @Override
    public OptionalLong sectionSize(String sectionName) {
        Long size = sectionSizes.get(sectionName);
        return size == null ? OptionalLong.empty() : OptionalLong.of(size);
    }

    @Override
    public OptionalLong symbolOffset(String sectionName, String symbolName) {
        return symbols.stream().filter(s -> s.section().equals(sectionName) && s.name().equals(symbolName))
                .mapToLong(Symbol::value).findFirst();
    }
}

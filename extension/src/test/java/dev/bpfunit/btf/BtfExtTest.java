package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BtfExtTest {
    private final Btf types = Fixtures.btf("types");
    private final BtfExt typesExt = BtfExt.parse(Fixtures.bytes("types.btf.ext"), types);

    @Test
    void funcInfoNamesTheFunctionAtEachSymbolsInstructionSlot() {
        ObjdumpFacts elf = new ObjdumpFacts("types");
        Set<String> expected = elf.symbols.stream().filter(ObjdumpFacts.Symbol::function)
                .map(s -> s.section() + "@" + s.value() / 8 + "=" + s.name()).collect(Collectors.toSet());

        Set<String> actual = typesExt.funcInfos().entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(f -> e.getKey() + "@" + f.insnOffset() + "="
                        + types.type(f.typeId(), Func.class).name()))
                .collect(Collectors.toSet());

        assertThat(actual).isEqualTo(expected).contains(".text@12=helper", "xdp@0=xdp_count");
    }

    @Test
    void lineInfoMatchesDwarfsLineTableAndTheSource() {
        String[] source = Fixtures.text("types.bpf.c").split("\n", -1);
        // 0x0000000000000008     78     19      0   0             0  is_stmt prologue_end
        Set<List<Long>> dwarfRows = Fixtures.text("types.debug-line.txt").lines()
                .map(l -> l.trim().split("\\s+"))
                .map(f -> List.of(Long.decode(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])))
                .collect(Collectors.toSet());

        assertThat(typesExt.lineInfos().keySet()).containsExactlyInAnyOrder("xdp", ".text");
        int checked = 0;
        for (Map.Entry<String, List<LineInfo>> e : typesExt.lineInfos().entrySet()) {
            Map<Integer, String> functionStarts = typesExt.funcInfos().get(e.getKey()).stream()
                    .collect(Collectors.toMap(FuncInfo::insnOffset, f -> types.type(f.typeId()).name()));
            for (LineInfo l : e.getValue()) {
                assertThat(l.fileName()).isEqualTo("./types.bpf.c");
                assertThat(types.string(l.fileNameOffset())).isEqualTo(l.fileName());
                assertThat(l.lineText()).isEqualTo(l.line() == 0 ? "" : source[l.line() - 1]);
                List<Long> row = List.of(l.insnOffset() * 8L, (long) l.line(), (long) l.column());
                if (functionStarts.containsKey(l.insnOffset()) && !dwarfRows.contains(row)) {
                    // clang may give a function's first instruction its declaration's line, where DWARF has the body's.
                    assertThat(l.lineText()).contains(" " + functionStarts.get(l.insnOffset()) + "(");
                } else if (l.line() != 0) { // line 0 (no source line) is placed differently by the two
                    assertThat(dwarfRows).as("DWARF row for %s", l).contains(row);
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(typesExt.lineInfos().get(".text").get(0).lineText())
                .isEqualTo("static __attribute__((noinline)) int scale(int v, float f)");
    }

    @Test
    void coreRelocationsHaveTheirKindsAndAccessStrings() {
        Btf core = Fixtures.btf("core");
        BtfExt ext = BtfExt.parse(Fixtures.bytes("core.btf.ext"), core);

        List<CoreRelo> relos = ext.coreRelos().get("tracepoint/syscalls/sys_enter_write");

        assertThat(relos).extracting(r -> core.describe(r.typeId()), CoreRelo::accessString, CoreRelo::kind)
                .containsExactly(
                        tuple("struct task", "0:1:2:1", CoreReloKind.FIELD_BYTE_OFFSET), // t->in[2].y
                        tuple("struct task", "0:3", CoreReloKind.FIELD_EXISTS),          // t->state
                        tuple("struct task", "0:0", CoreReloKind.FIELD_BYTE_SIZE),       // t->pid
                        tuple("struct task", "0:2", CoreReloKind.FIELD_BYTE_OFFSET),     // t->flag ...
                        tuple("struct task", "0:2", CoreReloKind.FIELD_BYTE_SIZE),
                        tuple("struct task", "0:2", CoreReloKind.FIELD_LSHIFT_U64),
                        tuple("struct task", "0:2", CoreReloKind.FIELD_SIGNED),
                        tuple("struct task", "0:2", CoreReloKind.FIELD_RSHIFT_U64),
                        tuple("struct task", "0:2", CoreReloKind.FIELD_RSHIFT_U64),
                        tuple("struct inner", "0", CoreReloKind.TYPE_EXISTS),
                        tuple("struct inner", "0", CoreReloKind.TYPE_SIZE),
                        tuple("enum mode", "1", CoreReloKind.ENUMVAL_EXISTS),            // MODE_B is value 1
                        tuple("enum mode", "1", CoreReloKind.ENUMVAL_VALUE),
                        tuple("struct task", "0", CoreReloKind.TYPE_ID_LOCAL));
        assertThat(relos).extracting(CoreRelo::insnOffset).isSorted().allMatch(i -> i > 0 && i < 50);
        assertThat(ext.funcInfos().get("tracepoint/syscalls/sys_enter_write"))
                .containsExactly(new FuncInfo(0, core.id("trace", Func.class)));
        assertThat(typesExt.coreRelos()).isEmpty();
    }

    @Test
    void encodesKernelFuncAndLineInfoRecords() {
        List<FuncInfo> funcs = typesExt.funcInfos().get(".text");
        List<LineInfo> lines = typesExt.lineInfos().get(".text").subList(0, 2);

        ByteBuffer f = ByteBuffer.wrap(BtfExt.encodeFuncInfos(funcs)).order(ByteOrder.nativeOrder());
        ByteBuffer l = ByteBuffer.wrap(BtfExt.encodeLineInfos(lines)).order(ByteOrder.nativeOrder());

        assertThat(f.capacity()).isEqualTo(8 * funcs.size());
        assertThat(List.of(f.getInt(8), f.getInt(12))).containsExactly(funcs.get(1).insnOffset(), funcs.get(1).typeId());
        assertThat(l.capacity()).isEqualTo(32);
        LineInfo second = lines.get(1);
        assertThat(List.of(l.getInt(16), l.getInt(20), l.getInt(24), l.getInt(28))).containsExactly(second.insnOffset(),
                second.fileNameOffset(), second.lineOffset(), second.line() << 10 | second.column());
        assertThat(second.withInsnOffset(99)).isEqualTo(new LineInfo(99, second.fileNameOffset(), second.lineOffset(),
                second.line(), second.column(), second.fileName(), second.lineText()));
        assertThat(funcs.get(1).withInsnOffset(5).insnOffset()).isEqualTo(5);
    }

    @Test
    void recordSizesLargerThanKnownAreHonoured() {
        // Rewrite the func_info section with 12-byte records (an unknown trailing field) and check it still reads.
        byte[] ext = Fixtures.bytes("types.btf.ext");
        ByteBuffer in = ByteBuffer.wrap(ext).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = in.getInt(4);
        int funcOff = hdrLen + in.getInt(8);
        int funcLen = in.getInt(12);
        List<Integer> words = new ArrayList<>();
        words.add(12);
        int pos = funcOff + 4;
        while (pos < funcOff + funcLen) {
            int num = in.getInt(pos + 4);
            words.add(in.getInt(pos));
            words.add(num);
            pos += 8;
            for (int i = 0; i < num; i++, pos += 8) {
                words.add(in.getInt(pos));
                words.add(in.getInt(pos + 4));
                words.add(0xdead);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(hdrLen + words.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        out.put(ext, 0, hdrLen);
        out.putInt(8, 0).putInt(12, words.size() * 4).putInt(16, 0).putInt(20, 0).putInt(24, 0).putInt(28, 0);
        out.position(hdrLen);
        words.forEach(out::putInt);

        BtfExt parsed = BtfExt.parse(out.array(), types);

        assertThat(parsed.funcInfos()).isEqualTo(typesExt.funcInfos());
        assertThat(parsed.lineInfos()).isEmpty();
    }

    @Test
    void malformedExtGivesClearErrors() {
        byte[] ext = Fixtures.bytes("types.btf.ext");
        assertThatThrownBy(() -> BtfExt.parse(new byte[] {1, 2, 3}, types))
                .isInstanceOf(BtfException.class).hasMessageContaining("BTF.ext: bad magic 0x0102");
        byte[] shortCopy = java.util.Arrays.copyOf(ext, ext.length - 3);
        assertThatThrownBy(() -> BtfExt.parse(shortCopy, types))
                .isInstanceOf(BtfException.class).hasMessageContaining("truncated");
        // An ELF section name past the end of the string section.
        byte[] badName = ext.clone();
        ByteBuffer b = ByteBuffer.wrap(badName).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(b.getInt(4) + b.getInt(8) + 4, 0x7fffff);
        assertThatThrownBy(() -> BtfExt.parse(badName, types)).isInstanceOf(BtfException.class)
                .hasMessageContaining("func_info section name").hasMessageContaining("8388607 is past the end");
        // A func_info pointing at a type that is not a FUNC.
        byte[] badType = ext.clone();
        ByteBuffer t = ByteBuffer.wrap(badType).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(t.getInt(4) + t.getInt(8) + 4 + 8 + 4, 2);
        assertThatThrownBy(() -> BtfExt.parse(badType, types)).isInstanceOf(BtfException.class)
                .hasMessageMatching("BTF\\.ext: func_info record 0 of section '.*': type \\[2\\] is a INT, not a FUNC");
        assertThatThrownBy(() -> BtfExt.parse(ext, null)).isInstanceOf(BtfException.class).hasMessageContaining("btf is null");
        assertThat(Map.copyOf(typesExt.funcInfos())).hasSize(2);
    }
}

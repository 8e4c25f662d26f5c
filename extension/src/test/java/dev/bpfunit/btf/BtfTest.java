package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BtfTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private final Btf types = Fixtures.btf("types");

    @ParameterizedTest
    @ValueSource(strings = {"types", "core"})
    void everyTypeMatchesBpftoolsDumpOfTheFixture(String fixture) {
        Btf btf = Fixtures.btf(fixture);

        assertThat(BpftoolFormat.dump(btf, 1)).isEqualTo(Fixtures.text(fixture + ".btf.txt"));
    }

    @Test
    void everyTypeOfTheRunningKernelMatchesBpftool() throws Exception {
        assumeTrue(Files.isReadable(VMLINUX), "no " + VMLINUX);
        assumeTrue(BpftoolFormat.bpftoolAvailable(), "bpftool is not installed");
        String expected = BpftoolFormat.bpftool("btf", "dump", "file", VMLINUX.toString());

        Btf btf = Btf.vmlinux();

        assertThat(btf.typeCount()).isGreaterThan(1000);
        String actual = BpftoolFormat.dump(btf, 1);
        if (!actual.equals(expected)) {
            // Show the first differing line rather than two multi-megabyte strings.
            String[] a = actual.split("\n", -1);
            String[] e = expected.split("\n", -1);
            for (int i = 0; i < Math.min(a.length, e.length); i++) {
                assertThat(a[i]).as("line %d of the vmlinux dump", i + 1).isEqualTo(e[i]);
            }
            assertThat(a.length).as("lines of the vmlinux dump").isEqualTo(e.length);
        }
        assertThat(Btf.vmlinux()).isSameAs(btf);
    }

    @Test
    void structWithModernBitfieldsKeepsBitOffsetsAndSizes() {
        Struct flags = types.type(types.id("flags", Struct.class), Struct.class);

        assertThat(flags.size()).isEqualTo(16);
        assertThat(flags.members()).extracting(Member::name, Member::bitOffset, Member::bitfieldSize).containsExactly(
                org.assertj.core.groups.Tuple.tuple("a", 0, 3),
                org.assertj.core.groups.Tuple.tuple("b", 3, 5),
                org.assertj.core.groups.Tuple.tuple("c", 8, 1),
                org.assertj.core.groups.Tuple.tuple("d", 9, 40),
                org.assertj.core.groups.Tuple.tuple("tail", 64, 0));
        assertThat(types.layoutOf(flags.members().get(1))).isEqualTo(flags.members().get(1));
    }

    @Test
    void layoutOfFoldsAnOldStyleIntBitfieldIntoTheMember() {
        // An old-style bitfield: kind_flag clear, the INT itself says "3 bits at bit 2".
        Btf btf = types.addTypes(List.of(new Int("u32_3bits", 4, 0, 2, 3)));
        int intId = btf.typeCount() - 1;
        Member legacy = new Member("x", intId, 32);

        assertThat(btf.layoutOf(legacy)).isEqualTo(new Member("x", intId, 34, 3));
        Member plain = new Member("y", types.id("int", Int.class), 32);
        assertThat(btf.layoutOf(plain)).isSameAs(plain);
    }

    @Test
    void enumsTypedefsAndQualifiers() {
        Enum proto = types.type(types.id("proto", Enum.class), Enum.class);
        assertThat(proto.values()).containsExactly(new EnumValue("PROTO_TCP", 6), new EnumValue("PROTO_UDP", 17),
                new EnumValue("PROTO_NEG", 0xffffffffL));
        assertThat(proto.valueOf(17)).map(EnumValue::name).contains("PROTO_UDP");
        int u32 = types.id("__u32", Typedef.class);
        assertThat(types.resolvedType(u32)).isEqualTo(new Int("unsigned int", 4, 0, 0, 32));
        assertThat(types.idsByName("stats")).hasSize(1);
        assertThat(types.idsByName("no such name")).isEmpty();
        assertThat(types.findId("stats", Union.class)).isEmpty();
    }

    @Test
    void describeGivesCLikeNames() {
        Struct stats = types.type(types.id("stats", Struct.class), Struct.class);
        Map<String, String> expected = Map.ofEntries(
                Map.entry("packets", "__u64"),
                Map.entry("name", "char[16]"),
                Map.entry("proto", "enum proto"),
                Map.entry("flags", "struct flags"),
                Map.entry("addr", "union addr"),
                Map.entry("", "union (anon)"),
                Map.entry("ratio", "float"),
                Map.entry("matrix", "int[2][3]"),
                Map.entry("ok", "_Bool"),
                Map.entry("callback", "int (*)(void *, int)"),
                Map.entry("cv", "const volatile u32_t *"),
                Map.entry("next", "struct stats * restrict"));
        expected.forEach((member, description) -> assertThat(types.describe(stats.member(member).orElseThrow().type()))
                .as(member).isEqualTo(description));
        assertThat(types.describe(types.id("helper", Func.class))).isEqualTo("int helper(struct stats * s, u32_t n)");
        assertThat(types.describe(types.id("fwd_ptr", Var.class))).isEqualTo("struct fwd_only * fwd_ptr");
        assertThat(types.describe(0)).isEqualTo("void");
    }

    @Test
    void sizeOfAndAlignOfFollowLibbpf() {
        int stats = types.id("stats", Struct.class);
        Struct s = types.type(stats, Struct.class);
        assertThat(types.sizeOf(stats)).isEqualTo(152);
        assertThat(types.alignOf(stats)).isEqualTo(8);
        assertThat(types.sizeOf(s.member("matrix").orElseThrow().type())).isEqualTo(24);
        assertThat(types.alignOf(s.member("matrix").orElseThrow().type())).isEqualTo(4);
        assertThat(types.sizeOf(s.member("cv").orElseThrow().type())).isEqualTo(8);
        assertThat(types.sizeOf(types.id("ro_const", Var.class))).isEqualTo(4);
        assertThat(types.sizeOf(types.id("u32_t", Typedef.class))).isEqualTo(4);
        assertThat(types.alignOf(types.id("addr", Union.class))).isEqualTo(4);

        assertThatThrownBy(() -> types.sizeOf(0)).isInstanceOf(BtfException.class).hasMessageContaining("void");
        assertThatThrownBy(() -> types.sizeOf(types.id("fwd_only", Fwd.class)))
                .isInstanceOf(BtfException.class).hasMessageContaining("struct fwd_only").hasMessageContaining("forward");
        assertThatThrownBy(() -> types.sizeOf(types.id("helper", Func.class)))
                .isInstanceOf(BtfException.class).hasMessageContaining("function");
    }

    @Test
    void aPackedStructAlignsToOneByte() {
        int intId = types.id("int", Int.class);
        Btf btf = types.addTypes(List.of(new Struct("packed", 5, List.of(new Member("c", intId - 0, 8)))));

        assertThat(btf.alignOf(btf.typeCount() - 1)).isEqualTo(1);
    }

    @Test
    void unknownIdsAndNamesGiveClearErrors() {
        assertThatThrownBy(() -> types.type(types.typeCount()))
                .isInstanceOf(BtfException.class)
                .hasMessage("no BTF type with id " + types.typeCount() + ": ids run from 0 to " + (types.typeCount() - 1));
        assertThatThrownBy(() -> types.type(-1)).isInstanceOf(BtfException.class).hasMessageContaining("4294967295");
        assertThatThrownBy(() -> types.id("stats", Union.class))
                .isInstanceOf(BtfException.class).hasMessageContaining("no UNION named 'stats'").hasMessageContaining("STRUCT");
        assertThatThrownBy(() -> types.type(types.id("stats", Struct.class), Enum.class))
                .isInstanceOf(BtfException.class).hasMessageContaining("struct stats is a STRUCT where ENUM was expected");
        assertThatThrownBy(() -> types.string(100_000)).isInstanceOf(BtfException.class)
                .hasMessageContaining("string offset 100000 is past the end");
    }

    @Test
    void readsRawBtfAndElfFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path raw = dir.resolve("x.btf");
        Path elf = dir.resolve("x.bpf.o");
        Files.write(raw, Fixtures.bytes("types.btf"));
        Files.write(elf, Fixtures.bytes("types.bpf.o"));

        assertThat(Btf.read(raw).types()).isEqualTo(types.types());
        assertThat(Btf.read(elf).types()).isEqualTo(types.types());
        assertThatThrownBy(() -> Btf.read(dir.resolve("missing.btf")))
                .isInstanceOf(BtfException.class).hasMessageContaining("missing.btf does not exist");
        Files.write(raw, new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> Btf.read(raw)).isInstanceOf(BtfException.class)
                .hasMessageContaining("x.btf: BTF: bad magic 0x0102");
    }
}

package dev.bpfunit.btf;

import dev.bpfunit.rawelf.ElfFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decodes and encodes global_stats, which clang laid out in types.bpf.o's .data section. */
class BtfValueTest {
    private final Btf btf = Fixtures.btf("types");
    private final int statsId = btf.id("stats", Struct.class);
    private final byte[] globalStats = globalStatsBytes();

    private static byte[] globalStatsBytes() {
        byte[] data = ElfFile.parseSections(Fixtures.bytes("types.bpf.o"), "types.bpf.o").section(".data").orElseThrow().data();
        int offset = (int) new ObjdumpFacts("types").symbolOffset(".data", "global_stats").orElseThrow();
        return Arrays.copyOfRange(data, offset, offset + 152);
    }

    @Test
    void decodesFieldsOfEveryKindAsTheCompilerLaidThemOut() {
        BtfValue v = BtfValue.decode(btf, statsId, globalStats);

        assertThat(v.typeName()).isEqualTo("struct stats");
        assertThat(v.get("packets").asLong()).isEqualTo(3);
        assertThat(v.get("bytes").asInt()).isEqualTo(180);
        assertThat(v.get("bytes").typeName()).isEqualTo("__u64");
        assertThat(v.get("name").asString()).isEqualTo("eth0");
        assertThat(v.get("name").get(1).asInt()).isEqualTo('t');
        assertThat(v.get("proto").asEnumName()).isEqualTo("PROTO_UDP");
        assertThat(v.get("proto").asLong()).isEqualTo(17);
        assertThat(v.get("addr").get("v4").asLong()).isEqualTo(0x0100007f);
        assertThat(v.get("addr").get("v6").get(0).asInt()).isEqualTo(0x7f);
        assertThat(v.get("anon_a").asInt()).isEqualTo(9);
        assertThat(v.get("anon_b").asInt()).isEqualTo(9);
        assertThat(v.get("ratio").asDouble()).isEqualTo(0.5);
        assertThat(v.get("avg").asDouble()).isEqualTo(-2.25);
        assertThat(v.get("matrix").get(1).get(2).asInt()).isEqualTo(6);
        assertThat(v.get("matrix").length()).isEqualTo(2);
        assertThat(v.get("big").asEnumName()).isEqualTo("BIG_SMALL");
        assertThat(v.get("ok").asBoolean()).isTrue();
        assertThat(v.get("callback").asLong()).isZero();
    }

    @Test
    void decodesModernBitfieldsWithTheirSigns() {
        BtfValue flags = BtfValue.decode(btf, statsId, globalStats).get("flags");

        assertThat(flags.get("a").asInt()).isEqualTo(5);
        assertThat(flags.get("b").asInt()).isEqualTo(-3);
        assertThat(flags.get("c").asInt()).isEqualTo(1);
        assertThat(flags.get("d").asLong()).isEqualTo(0x123456789L);
        assertThat(flags.get("tail").asInt()).isEqualTo(7);
        assertThat(flags.get("b").typeName()).isEqualTo("int");
    }

    @Test
    void decodesOldStyleBitfieldsWhoseIntCarriesTheWidth() {
        // struct flags' first two fields, described the pre-kind_flag way: INTs of 3 and 5 bits.
        Btf legacy = btf.addTypes(List.of(new Int("unsigned int", 4, 0, 0, 3), new Int("int", 4, Int.SIGNED, 0, 5)));
        int u3 = legacy.typeCount() - 2;
        int s5 = legacy.typeCount() - 1;
        legacy = legacy.addTypes(List.of(new Struct("legacy_flags", 16, List.of(new Member("a", u3, 0),
                new Member("b", s5, 3)))));
        int legacyId = legacy.typeCount() - 1;
        byte[] flagsBytes = Arrays.copyOfRange(globalStats, 40, 56);

        BtfValue v = BtfValue.decode(legacy, legacyId, flagsBytes);

        assertThat(v.get("a").asInt()).isEqualTo(5);
        assertThat(v.get("b").asInt()).isEqualTo(-3);
        byte[] encoded = BtfValue.encode(legacy, legacyId, Map.of("a", 5, "b", -3));
        assertThat(BtfValue.decode(legacy, legacyId, encoded).get("b").asInt()).isEqualTo(-3);
        assertThat(Arrays.copyOf(encoded, 1)).isEqualTo(Arrays.copyOf(flagsBytes, 1));
    }

    @Test
    void printsLikeBpftool() {
        BtfValue v = BtfValue.decode(btf, statsId, globalStats);

        assertThat(v.toString()).isEqualTo("{\"packets\": 3, \"bytes\": 180, \"name\": \"eth0\", \"proto\": PROTO_UDP, "
                + "\"flags\": {\"a\": 5, \"b\": -3, \"c\": 1, \"d\": 4886718345, \"tail\": 7}, "
                + "\"addr\": {\"v4\": 16777343, \"v6\": [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}, "
                + "\"anon_a\": 9, \"anon_b\": 9, \"ratio\": 0.5, \"avg\": -2.25, \"matrix\": [[1, 2, 3], [4, 5, 6]], "
                + "\"big\": BIG_SMALL, \"ok\": true, \"callback\": 0x0, \"cv\": 0x0, \"next\": 0x0}");
    }

    @Test
    void encodingTheSameFieldsGivesTheCompilersBytes() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("packets", 3);
        fields.put("bytes", 180L);
        fields.put("name", "eth0");
        fields.put("proto", "PROTO_UDP");
        fields.put("flags", Map.of("a", 5, "b", -3, "c", true, "d", 0x123456789L, "tail", 7));
        fields.put("addr", Map.of("v4", 0x0100007f));
        fields.put("anon_a", 9);
        fields.put("ratio", 0.5f);
        fields.put("avg", -2.25);
        fields.put("matrix", List.of(List.of(1, 2, 3), List.of(4, 5, 6)));
        fields.put("big", 1);
        fields.put("ok", true);

        assertThat(BtfValue.encode(btf, statsId, fields)).isEqualTo(globalStats);
        assertThat(BtfValue.encode(btf, btf.id("__u32", Typedef.class), 0xffffffffL)).containsExactly(-1, -1, -1, -1);
        assertThat(BtfValue.encode(btf, statsId, globalStats)).isEqualTo(globalStats);
    }

    /**
     * A 64-bit integer given as text or a BigInteger must be a number the type holds; a Java long is taken as its
     * 64 bits (before, {@code "-1"} set a __u64 to 2^64-1 without a word).
     */
    @Test
    void sixtyFourBitIntegersFromTextMustFitTheType() {
        int u64 = btf.id("__u64", Typedef.class);
        byte[] ones = new byte[8];
        java.util.Arrays.fill(ones, (byte) -1);

        assertThat(BtfValue.encode(btf, u64, -1L)).as("a long's bits").isEqualTo(ones);
        assertThat(BtfValue.encode(btf, u64, "18446744073709551615")).isEqualTo(ones);
        assertThat(BtfValue.encode(btf, u64, "0xffff_ffff_ffff_ffff")).isEqualTo(ones);
        assertThatThrownBy(() -> BtfValue.encode(btf, u64, "-1")).isInstanceOf(BtfException.class)
                .hasMessage("__u64: -1 does not fit an unsigned 64-bit integer: give a value from 0 to "
                        + "18446744073709551615");
        assertThatThrownBy(() -> BtfValue.encode(btf, u64, java.math.BigInteger.valueOf(-5)))
                .hasMessageContaining("-5 does not fit an unsigned 64-bit integer");

        java.nio.file.Path kernel = java.nio.file.Path.of("/sys/kernel/btf/vmlinux");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(kernel), "no " + kernel);
        Btf vmlinux = Btf.vmlinux();
        int s64 = vmlinux.id("__s64", Typedef.class);
        assertThat(BtfValue.encode(vmlinux, s64, "-1")).isEqualTo(ones);
        assertThatThrownBy(() -> BtfValue.encode(vmlinux, s64, "18446744073709551615"))
                .hasMessage("__s64: 18446744073709551615 does not fit a signed 64-bit integer: give a value from "
                        + "-9223372036854775808 to 9223372036854775807");
    }

    @Test
    void mistakesGetMessagesNamingTypesFieldsAndRanges() {
        BtfValue v = BtfValue.decode(btf, statsId, globalStats);
        int u32 = btf.id("__u32", Typedef.class);

        assertThatThrownBy(() -> BtfValue.decode(btf, statsId, new byte[8])).isInstanceOf(BtfException.class)
                .hasMessage("a value of type struct stats is 152 bytes, but 8 bytes were given");
        assertThatThrownBy(() -> v.get("packet")).isInstanceOf(BtfException.class)
                .hasMessage("struct stats has no field 'packet'; its fields: packets, bytes, name, proto, flags, addr, "
                        + "anon_a, anon_b, ratio, avg, matrix, big, ok, callback, cv, next");
        assertThatThrownBy(() -> v.get("name").get(16)).isInstanceOf(BtfException.class)
                .hasMessage("index 16 is out of bounds for char[16] (16 elements)");
        assertThatThrownBy(() -> v.get("packets").get("x")).isInstanceOf(BtfException.class)
                .hasMessageContaining("__u64 has no fields");
        assertThatThrownBy(() -> v.get("name").asLong()).isInstanceOf(BtfException.class)
                .hasMessageContaining("char[16] is not an integer");
        assertThatThrownBy(() -> v.get("packets").asEnumName()).isInstanceOf(BtfException.class)
                .hasMessage("__u64 is not an enum");
        assertThatThrownBy(() -> BtfValue.encode(btf, u32, 1L << 32)).isInstanceOf(BtfException.class)
                .hasMessage("__u32: 4294967296 does not fit an unsigned 32-bit integer: give a value from 0 to 4294967295");
        assertThat(BtfValue.encode(btf, u32, "7")).isEqualTo(BtfValue.encode(btf, u32, 7));
        assertThatThrownBy(() -> BtfValue.encode(btf, u32, "seven")).isInstanceOf(BtfException.class)
                .hasMessageContaining("__u32: 'seven' is not an integer: give one in decimal or 0x hex");
        assertThatThrownBy(() -> BtfValue.encode(btf, u32, new Object())).isInstanceOf(BtfException.class)
                .hasMessageContaining("__u32: an integer type needs a Number");
        assertThatThrownBy(() -> BtfValue.encode(btf, statsId, Map.of("proto", "PROTO_SCTP")))
                .isInstanceOf(BtfException.class)
                .hasMessage("struct stats.proto: enum proto has no enumerator 'PROTO_SCTP'; its enumerators: PROTO_TCP, PROTO_UDP, PROTO_NEG");
        assertThatThrownBy(() -> BtfValue.encode(btf, statsId, Map.of("flags", Map.of("a", 8))))
                .isInstanceOf(BtfException.class).hasMessage("struct stats.flags.a: 8 does not fit the 3-bit field (0..7)");
        assertThatThrownBy(() -> BtfValue.encode(btf, statsId, Map.of("name", "a name longer than 16")))
                .isInstanceOf(BtfException.class).hasMessageContaining("longer than char[16]");
        assertThatThrownBy(() -> BtfValue.encode(btf, statsId, Map.of("nope", 1))).isInstanceOf(BtfException.class)
                .hasMessageStartingWith("struct stats: struct stats has no field 'nope'; its fields: packets,");
        assertThatThrownBy(() -> BtfValue.encode(btf, statsId, new byte[3])).isInstanceOf(BtfException.class)
                .hasMessage("struct stats: struct stats is 152 bytes, but 3 bytes were given");
    }
}

package dev.bpfunit.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BtfEncodeTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"types", "core"})
    void encodingClangsBtfGivesBackTheSameBytes(String fixture) {
        byte[] original = Fixtures.bytes(fixture + ".btf");
        Btf btf = Btf.parse(original);

        byte[] encoded = btf.encode(ByteOrder.LITTLE_ENDIAN);

        assertThat(encoded).isEqualTo(original);
        assertThat(Btf.parse(encoded).types()).isEqualTo(btf.types());
    }

    @Test
    void theRunningKernelsBtfSurvivesARoundTrip() {
        Path vmlinux = Path.of("/sys/kernel/btf/vmlinux");
        assumeTrue(Files.isReadable(vmlinux), "no " + vmlinux);
        Btf btf = Btf.vmlinux();

        byte[] encoded = btf.encode();

        assertThat(Btf.parse(encoded).types()).isEqualTo(btf.types());
    }

    @Test
    void bigEndianBtfParsesToTheSameTypes() {
        Btf btf = Fixtures.btf("types");

        byte[] be = btf.encode(ByteOrder.BIG_ENDIAN);

        assertThat(be[0]).isEqualTo((byte) 0xeb);
        assertThat(Btf.parse(be).types()).isEqualTo(btf.types());
    }

    @Test
    void newNamesAreAppendedAndOldStringOffsetsStayValid() {
        byte[] original = Fixtures.bytes("types.btf");
        Btf btf = Btf.parse(original);
        int statsId = btf.id("stats", Struct.class);
        Struct stats = btf.type(statsId, Struct.class);
        BtfExt ext = BtfExt.parse(Fixtures.bytes("types.btf.ext"), btf);
        LineInfo line = ext.lineInfos().get("xdp").get(1);

        Btf renamed = btf.replaceTypes(Map.of(statsId, new Struct("stats_v2", stats.size(), stats.members())));
        Btf reparsed = Btf.parse(renamed.encode(ByteOrder.LITTLE_ENDIAN));

        int strLen = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
        byte[] strings = Arrays.copyOfRange(original, original.length - strLen, original.length);
        byte[] encoded = renamed.encode(ByteOrder.LITTLE_ENDIAN);
        assertThat(Arrays.copyOfRange(encoded, encoded.length - strLen - "stats_v2\0".length(), encoded.length))
                .isEqualTo(concat(strings, "stats_v2\0".getBytes(StandardCharsets.US_ASCII)));
        assertThat(reparsed.type(statsId).name()).isEqualTo("stats_v2");
        assertThat(reparsed.string(line.lineOffset())).isEqualTo(line.lineText());
        assertThat(reparsed.types().subList(statsId + 1, btf.typeCount())).isEqualTo(btf.types().subList(statsId + 1, btf.typeCount()));
    }

    @Test
    void kindsClang14CannotEmitRoundTripAndBpftoolReadsThem() throws Exception {
        Btf base = Fixtures.btf("types");
        int intId = base.id("int", Int.class);
        int first = base.typeCount();
        Btf btf = base.addTypes(List.of(
                new Enum64("big", 8, false, List.of(new EnumValue("HUGE", 0x1234567890L), new EnumValue("TOP", -1L))),
                new Enum64("sbig", 8, true, List.of(new EnumValue("NEG", -5_000_000_000L))),
                new Enum("small", 4, true, List.of(new EnumValue("MINUS", -3), new EnumValue("PLUS", 3))),
                new TypeTag("percpu", intId, true),
                new DeclTag("arg_tag", base.id("helper", Func.class), 1),
                new Var("ext_var", intId, BtfLinkage.EXTERN),
                new Fwd("some_union", true),
                new Int("my_char", 1, Int.CHAR, 0, 8),
                new FuncProto(intId, List.of(new Param("fmt", intId), new Param("", 0)))));

        Btf reparsed = Btf.parse(btf.encode());

        assertThat(reparsed.types()).isEqualTo(btf.types());
        assertThat(reparsed.type(first, Enum64.class).values().get(1).value()).isEqualTo(-1L);
        assertThat(reparsed.type(first + 8, FuncProto.class).isVariadic()).isTrue();
        assumeTrue(BpftoolFormat.bpftoolAvailable(), "bpftool is not installed");
        Path file = dir.resolve("handmade.btf");
        Files.write(file, btf.encode());
        assertThat(BpftoolFormat.bpftool("btf", "dump", "file", file.toString())).isEqualTo(BpftoolFormat.dump(btf, 1));
    }

    @Test
    void encodedDatasecFixedFixtureIsValidBtfForBpftool() throws Exception {
        assumeTrue(BpftoolFormat.bpftoolAvailable(), "bpftool is not installed");
        Btf fixed = BtfFixups.fixDatasecs(Fixtures.btf("types"), new ObjdumpFacts("types"));
        Path file = dir.resolve("fixed.btf");
        Files.write(file, fixed.encode());

        String dump = BpftoolFormat.bpftool("btf", "dump", "file", file.toString());

        assertThat(dump).isEqualTo(BpftoolFormat.dump(fixed, 1)).contains("DATASEC '.data' size=164 vlen=3");
    }

    @Test
    void splitBtfContinuesTheBasesIdsAndStrings() throws Exception {
        byte[] baseBytes = Fixtures.bytes("types.btf");
        Btf base = Btf.parse(baseBytes);
        int baseStrLen = ByteBuffer.wrap(baseBytes).order(ByteOrder.LITTLE_ENDIAN).getInt(20);
        int intId = base.id("int", Int.class);
        int statsNameOff = nameOffset(base, baseBytes, "stats");
        // Split strings: "\0mod_struct\0field\0"; offsets continue after the base's string section.
        byte[] strings = "\0mod_struct\0field\0".getBytes(StandardCharsets.US_ASCII);
        int modStruct = baseStrLen + 1;
        int field = baseStrLen + 12;
        int[] types = {
            modStruct, 4 << 24 | 2, 16, field, intId, 0, statsNameOff, base.typeCount() + 1, 64, // [n] STRUCT mod_struct
            0, 2 << 24, base.id("stats", Struct.class),                                        // [n+1] PTR -> stats
        };
        byte[] split = rawBtf(types, strings);

        Btf btf = Btf.parse(split, base);

        int first = base.typeCount();
        assertThat(btf.typeCount()).isEqualTo(first + 2);
        assertThat(btf.type(first)).isEqualTo(new Struct("mod_struct", 16,
                List.of(new Member("field", intId, 0), new Member("stats", first + 1, 64))));
        assertThat(btf.type(intId)).isSameAs(base.type(intId));
        assertThat(btf.describe(first + 1)).isEqualTo("struct stats *");
        assertThat(btf.idsByName("stats")).containsExactly(base.id("stats", Struct.class));
        assertThat(btf.idsByName("mod_struct")).containsExactly(first);
        assertThat(btf.findId("int", Int.class)).contains(intId);
        assertThat(btf.base()).containsSame(base);
        assertThat(Btf.parse(btf.encode(ByteOrder.LITTLE_ENDIAN), base).types()).isEqualTo(btf.types());
        assertThat(btf.encode(ByteOrder.LITTLE_ENDIAN)).isEqualTo(split);
        if (BpftoolFormat.bpftoolAvailable()) {
            Path baseFile = dir.resolve("base.btf");
            Path splitFile = dir.resolve("split.btf");
            Files.write(baseFile, baseBytes);
            Files.write(splitFile, split);
            assertThat(BpftoolFormat.bpftool("btf", "dump", "-B", baseFile.toString(), "file", splitFile.toString()))
                    .isEqualTo(BpftoolFormat.dump(btf, first));
        }
        assertThatThrownBy(() -> btf.replaceTypes(Map.of(intId, new Ptr(0))))
                .isInstanceOf(BtfException.class).hasMessageContaining("no type [" + intId + "] to replace");
    }

    @Test
    void valuesThatDoNotFitTheirFieldsAreRefused() {
        Btf base = Fixtures.btf("types");
        Btf tooBig = base.addTypes(List.of(new Enum("e", 4, false, List.of(new EnumValue("X", 1L << 33)))));
        assertThatThrownBy(tooBig::encode).isInstanceOf(BtfException.class)
                .hasMessageContaining("ENUM 'e'").hasMessageContaining("X = 8589934592 does not fit 32 bits");
        assertThatThrownBy(() -> base.addTypes(List.of(new Ptr(base.typeCount() + 5))))
                .isInstanceOf(BtfException.class).hasMessageContaining("pointee refers to type id " + (base.typeCount() + 5));
        assertThatThrownBy(() -> new Member("b", 1, 1 << 24, 3)).isInstanceOf(BtfException.class)
                .hasMessageContaining("bit offset 16777216 out of range for a bitfield");
    }

    static int nameOffset(Btf btf, byte[] raw, String name) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int strStart = b.getInt(4) + b.getInt(16);
        for (int off = 1; off < b.getInt(20); off++) {
            if (raw[strStart + off - 1] == 0 && btf.string(off).equals(name)) {
                return off;
            }
        }
        throw new AssertionError("no string " + name);
    }

    /** A little-endian BTF blob with a 24-byte header, the given type words and the string section. */
    static byte[] rawBtf(int[] typeWords, byte[] strings) {
        ByteBuffer b = ByteBuffer.allocate(24 + typeWords.length * 4 + strings.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(typeWords.length * 4).putInt(typeWords.length * 4).putInt(strings.length);
        for (int w : typeWords) {
            b.putInt(w);
        }
        b.put(strings);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}

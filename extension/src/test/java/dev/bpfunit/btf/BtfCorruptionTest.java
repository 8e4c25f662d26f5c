package dev.bpfunit.btf;

import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfFormatException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input must only ever give a BtfException with a message, never another exception. */
class BtfCorruptionTest {
    private static final byte[] TYPES = Fixtures.bytes("types.btf");
    private static final byte[] EXT = Fixtures.bytes("types.btf.ext");
    private static final List<BtfType> ORIGINAL = Btf.parse(TYPES).types();
    private static final int[] FLIPS = {0x01, 0xff};

    @Test
    void everyTruncationOfRealBtfIsABtfException() {
        for (int len = 0; len < TYPES.length; len++) {
            byte[] cut = Arrays.copyOf(TYPES, len);
            assertThatThrownBy(() -> Btf.parse(cut)).as("truncated to %d bytes", len)
                    .isInstanceOf(BtfException.class).hasMessageStartingWith("BTF");
        }
    }

    @Test
    void byteFlipsGiveBtfExceptionsOrBtfThatCanBeQueriedSafely() {
        int parsed = 0;
        for (int i = 0; i < TYPES.length; i++) {
            for (int flip : FLIPS) {
                byte[] bad = TYPES.clone();
                bad[i] ^= (byte) flip;
                Btf btf = parseOrBtfException(bad, "flip 0x" + Integer.toHexString(flip) + " at byte " + i);
                if (btf != null) {
                    queryEverything(btf, "flip 0x" + Integer.toHexString(flip) + " at byte " + i);
                    parsed++;
                }
            }
        }
        assertThat(parsed).as("flips inside names and sizes still parse").isGreaterThan(100);
    }

    @Test
    void everyTruncationAndFlipOfRealBtfExtIsABtfExceptionOrParses() {
        Btf btf = Btf.parse(TYPES);
        for (int len = 0; len < EXT.length; len++) {
            byte[] cut = Arrays.copyOf(EXT, len);
            assertThatThrownBy(() -> BtfExt.parse(cut, btf)).as("truncated to %d bytes", len)
                    .isInstanceOf(BtfException.class).hasMessageStartingWith("BTF.ext");
        }
        for (int i = 0; i < EXT.length; i++) {
            for (int flip : FLIPS) {
                byte[] bad = EXT.clone();
                bad[i] ^= (byte) flip;
                try {
                    BtfExt ext = BtfExt.parse(bad, btf);
                    ext.lineInfos().values().forEach(BtfExt::encodeLineInfos);
                    ext.funcInfos().values().forEach(BtfExt::encodeFuncInfos);
                } catch (BtfException e) {
                    assertThat(e.getMessage()).isNotBlank();
                }
            }
        }
    }

    @Test
    void truncatedOrFlippedElfFilesGiveElfFormatExceptions() {
        byte[] elf = Fixtures.bytes("types.bpf.o");
        byte[] btf = ElfFile.parseSections(elf, "types.bpf.o").section(".BTF").orElseThrow().data();
        assertThat(btf).isEqualTo(TYPES);
        for (int len = 0; len < elf.length; len += 7) {
            byte[] cut = Arrays.copyOf(elf, len);
            try {
                ElfFile.parseSections(cut, "cut").section(".BTF").ifPresent(b -> assertThat(b.data()).isEqualTo(TYPES));
            } catch (ElfFormatException e) {
                assertThat(e.getMessage()).startsWith("cut: ");
            }
        }
        for (int i = 0; i < 64; i++) {
            byte[] bad = elf.clone();
            bad[i] ^= (byte) 0xff;
            try {
                ElfFile.parseSections(bad, "flipped");
            } catch (ElfFormatException e) {
                assertThat(e.getMessage()).startsWith("flipped: ");
            }
        }
    }

    @Test
    void headerErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> Btf.parse(new byte[0])).isInstanceOf(BtfException.class)
                .hasMessage("BTF: 0 bytes is too short for the magic 0xeb9f");
        assertThatThrownBy(() -> Btf.parse(Fixtures.bytes("types.bpf.o"))).isInstanceOf(BtfException.class)
                .hasMessageContaining("bad magic 0x7f45").hasMessageContaining("this is an ELF file");
        assertThatThrownBy(() -> Btf.parse(with(TYPES, 2, (byte) 2))).isInstanceOf(BtfException.class)
                .hasMessage("BTF: unsupported version 2 (only 1 is known)");
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, 4, 8))).isInstanceOf(BtfException.class)
                .hasMessage("BTF: hdr_len 8 is smaller than the 24-byte header");
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, 20, 1 << 20))).isInstanceOf(BtfException.class)
                .hasMessageContaining("BTF: string section [").hasMessageContaining("ends past the data's end");
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, 12, 6))).isInstanceOf(BtfException.class)
                .hasMessageContaining("not 4-byte aligned");
    }

    @Test
    void typeErrorsNameTheTypeAndWhere() {
        // Type [1] is a PTR: 12 bytes from offset 24. Give it kind 31, then a name past the strings, then a bad target.
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, 24 + 4, 31 << 24))).isInstanceOf(BtfException.class)
                .hasMessage("BTF: type [1] at offset 0 of the type section: unknown kind 31 (this parser knows 1..19)");
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, 24, 999_999))).isInstanceOf(BtfException.class)
                .hasMessageContaining("BTF: type [1] PTR at offset 0 of the type section: name: string offset 999999 is past the end");
        Btf btf = Btf.parse(TYPES);
        int last = btf.typeCount() - 1;
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, 24 + 8, 5000))).isInstanceOf(BtfException.class)
                .hasMessage("BTF: type [1] PTR: pointee refers to type id 5000, but the BTF has only ids 0.." + last);
        // STRUCT 'stats' is type [11]; point its first member at a type that does not exist.
        int memberType = offsetOfFirstMemberType(btf, 11);
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, memberType, last + 1))).isInstanceOf(BtfException.class)
                .hasMessage("BTF: type [11] STRUCT 'stats': member 'packets' refers to type id " + (last + 1)
                        + ", but the BTF has only ids 0.." + last);
        // A vlen that runs past the type section.
        assertThatThrownBy(() -> Btf.parse(withInt(TYPES, memberType - 4 - 12 + 4, 4 << 24 | 0xffff)))
                .isInstanceOf(BtfException.class)
                .hasMessageContaining("BTF: type [11] STRUCT at offset").hasMessageContaining("STRUCT data (vlen 65535) needs 786420 bytes");
    }

    @Test
    void aCycleOfTypedefsIsReportedNotLoopedOn() {
        Btf btf = Btf.parse(TYPES);
        int first = btf.typeCount();
        Btf cyclic = btf.addTypes(List.of(new Typedef("a", first + 1), new Typedef("b", first),
                new Ptr(first + 3), new Struct("self", 8, List.of(new Member("x", first + 3, 0))),
                new Ptr(first + 4)));
        assertThatThrownBy(() -> cyclic.resolve(first)).isInstanceOf(BtfException.class).hasMessageContaining("a cycle?");
        assertThatThrownBy(() -> cyclic.sizeOf(first)).isInstanceOf(BtfException.class).hasMessageContaining("a cycle?");
        assertThatThrownBy(() -> cyclic.alignOf(first + 3)).isInstanceOf(BtfException.class)
                .hasMessageContaining("struct self contains itself");
        assertThat(cyclic.describe(first + 2)).isEqualTo("struct self *");
        assertThat(cyclic.describe(first + 4)).startsWith("... ***");
    }

    private static int offsetOfFirstMemberType(Btf btf, int id) {
        // Walk the type section of the fixture: types before `id` have known encoded sizes.
        byte[] enc = btf.encode(ByteOrder.LITTLE_ENDIAN);
        assertThat(enc).isEqualTo(TYPES);
        ByteBuffer b = ByteBuffer.wrap(TYPES).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 24;
        for (int i = 1; i < id; i++) {
            int info = b.getInt(pos + 4);
            int kind = info >>> 24 & 0x1f;
            int vlen = info & 0xffff;
            pos += 12 + switch (kind) {
                case 1, 14, 17 -> 4;
                case 3 -> 12;
                case 4, 5, 15, 19 -> 12 * vlen;
                case 6, 13 -> 8 * vlen;
                default -> 0;
            };
        }
        return pos + 12 + 4;
    }

    private static Btf parseOrBtfException(byte[] data, String what) {
        try {
            return Btf.parse(data);
        } catch (BtfException e) {
            assertThat(e.getMessage()).as(what).isNotBlank();
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }

    /** Describes every type, and asks everything about the types the corruption changed. */
    private static void queryEverything(Btf btf, String what) {
        try {
            Btf.parse(btf.encode());
        } catch (BtfException e) {
            assertThat(e.getMessage()).as(what).isNotBlank();
        }
        for (int id = 0; id < btf.typeCount(); id++) {
            assertThat(btf.describe(id)).isNotNull();
        }
        for (int id = 0; id < btf.typeCount(); id++) {
            if (id < ORIGINAL.size() && ORIGINAL.get(id).equals(btf.type(id))) {
                continue;
            }
            final int i = id;
            for (Runnable query : new Runnable[] {() -> btf.describe(i), () -> btf.sizeOf(i), () -> btf.alignOf(i),
                    () -> btf.resolve(i)}) {
                try {
                    query.run();
                } catch (BtfException e) {
                    assertThat(e.getMessage()).as(what).isNotBlank();
                } catch (RuntimeException e) {
                    throw new AssertionError(what + ", type [" + i + "]: " + e, e);
                }
            }
        }
    }

    private static byte[] with(byte[] data, int at, byte value) {
        byte[] copy = data.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] withInt(byte[] data, int at, int value) {
        byte[] copy = data.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return copy;
    }
}

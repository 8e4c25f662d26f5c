package dev.bpfunit.rawelf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * Feeds the reader broken objects built from the real fixture's bytes: each must give an
 * {@link ElfFormatException} that names the file and the defect, never another exception.
 */
class ElfMalformedTest {
    private static final String NAME = "xdp_fw.bpf.o";
    private final byte[] good = Fixtures.bytes(NAME);
    private final ElfFile parsed = ElfFile.parse(good, NAME);

    @Test
    void everyTruncationIsRejectedCleanly() {
        for (int length = 0; length < good.length; length++) {
            byte[] cut = Arrays.copyOf(good, length);
            try {
                ElfFile.parse(cut, NAME);
                fail("a copy truncated to %d of %d bytes was accepted", length, good.length);
            } catch (ElfFormatException e) {
                assertThat(e.getMessage()).startsWith(NAME + ": ");
            } catch (RuntimeException | Error e) {
                throw new AssertionError("truncated to " + length + " bytes: " + e, e);
            }
        }
    }

    @Test
    void randomByteFlipsGiveOnlyElfFormatExceptions() {
        Random random = new Random(20240611L);
        long shoff = buffer(good).getLong(0x28);
        int rejected = 0;
        for (int round = 0; round < 10_000; round++) {
            byte[] broken = good.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                // Aim half of the flips at the ELF header and the section header table, where
                // structure lives; the rest anywhere (symbols, relocations, string tables).
                int at = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(64);
                    case 1 -> (int) shoff + random.nextInt(good.length - (int) shoff);
                    default -> random.nextInt(good.length);
                };
                int flipped = broken[at] ^ (1 << random.nextInt(8));
                broken[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : flipped);
            }
            try {
                ElfFile elf = ElfFile.parse(broken, NAME);
                for (ElfSection s : elf.sections()) {
                    try {
                        elf.relocations(s);
                    } catch (ElfFormatException e) {
                        rejected++;
                    }
                }
            } catch (ElfFormatException e) {
                rejected++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError("round " + round + ": " + e, e);
            }
        }
        assertThat(rejected).as("flips that were detected").isGreaterThan(1_000);
    }

    @Test
    void emptyAndTextFilesAreNotElf() {
        expect(new byte[0]).hasMessage(NAME + ": not an ELF file (magic missing, the file is empty, expected "
                + "7f454c46): is this the compiled object? build it with clang -O2 -g -target bpf -c prog.bpf.c "
                + "-o prog.bpf.o");
        expect("int main() {}\n".getBytes(StandardCharsets.US_ASCII))
                .hasMessageStartingWith(NAME + ": not an ELF file (magic 696e7420, expected 7f454c46): is this the "
                        + "compiled object?");
    }

    @Test
    void hostObjectsAreRecognised() {
        assertThatThrownBy(() -> ElfFile.parse(Fixtures.bytes("x86.o"), "x86.o"))
                .isInstanceOf(ElfFormatException.class)
                .hasMessage("x86.o: x86-64 object, not BPF (e_machine 62): compile with clang -target bpf");
    }

    @Test
    void wrongClassAndByteOrderAreExplained() {
        expect(patch8(4, 1)).hasMessageContaining("32-bit (ELFCLASS32) object")
                .hasMessageContaining("clang -target bpf");
        expect(patch8(5, 2)).hasMessage(NAME + ": big-endian object: compile with -target bpfel or bpf on a "
                + "little-endian host");
        expect(patch8(4, 7)).hasMessageContaining("unknown ELF class 7");
        expect(patch8(6, 0)).hasMessageContaining("unknown ELF version 0");
        expect(Arrays.copyOf(good, 40)).hasMessageContaining("truncated ELF header (40 of 64 bytes)");
    }

    @Test
    void linkedFilesAreNotRelocatable() {
        expect(patch16(16, Elf.ET_EXEC)).hasMessageContaining("a linked executable, not a relocatable object")
                .hasMessageContaining("clang -c");
        expect(patch16(16, Elf.ET_DYN)).hasMessageContaining("a linked shared object");
        expect(patch16(16, Elf.ET_CORE)).hasMessageContaining("ELF type 4 is not ET_REL");
    }

    @Test
    void brokenSectionTablesAreRejected() {
        expect(patch64(0x28, 0)).hasMessageContaining("no section header table");
        expect(patch64(0x28, good.length - 10)).hasMessageContaining("the file is truncated");
        expect(patch16(0x3a, 40)).hasMessageContaining("e_shentsize is 40, expected 64");
        expect(patch16(0x3c, 33)).hasMessageContaining("with 33 entries does not fit in the file");
        expect(patch16(0x3e, 32)).hasMessageContaining("e_shstrndx 32 is out of range (1 to 31)");
        expect(patch16(0x3e, 4)).hasMessageContaining("section name table (section 4) has type SHT_PROGBITS");
        // e_shnum 0 means "the count is in section 0's sh_size": a huge count must not allocate.
        byte[] huge = patch16(0x3c, 0);
        buffer(huge).putLong((int) shdr(0) + 0x20, Long.MAX_VALUE);
        expect(huge).hasMessageContaining("with 9223372036854775807 entries does not fit in the file");
        buffer(huge).putLong((int) shdr(0) + 0x20, -1L);
        expect(huge).hasMessageContaining("with 18446744073709551615 entries does not fit");
        expect(patchSection(0, 4, Elf.SHT_PROGBITS)).hasMessageContaining("section 0 has type SHT_PROGBITS");
    }

    @Test
    void sectionFieldsOutOfRangeAreRejected() {
        int xdp = index("xdp");
        expect(patchSection(xdp, 0x18, good.length - 8L)).hasMessageContaining("section " + xdp + " data")
                .hasMessageContaining("lies beyond the end of the file");
        expect(patchSection(xdp, 0x20, Long.MAX_VALUE)).hasMessageContaining("section " + xdp + " data");
        expect(patchSection(xdp, 0x18, -8L)).hasMessageContaining("section " + xdp + " data");
        expect(patchSection32(xdp, 0, 0x7fff_fff0)).hasMessageContaining("name of section " + xdp
                + " is at offset 2147483632 of its string table");
        int strtab = index(".strtab");
        long strtabSize = parsed.section(strtab).size();
        expect(patchSection32(xdp, 0, (int) strtabSize)).hasMessageContaining("which has only " + strtabSize
                + " bytes");
        expect(patchSection32(xdp, 0x28, 32)).hasMessageContaining("section " + xdp
                + " has sh_link 32, but there are only 32 sections");
        int relXdp = index(".relxdp");
        expect(patchSection32(relXdp, 0x2c, 99)).hasMessageContaining("has sh_info 99");
        expect(patchSection32(relXdp, 0x2c, 0)).hasMessageContaining("sh_info is 0");
        expect(patchSection32(relXdp, 0x28, strtab)).hasMessageContaining("which is not the symbol table");
    }

    @Test
    void unterminatedNamesAreRejected() {
        byte[] broken = good.clone();
        ElfSection strtab = parsed.section(".strtab").orElseThrow();
        Arrays.fill(broken, (int) strtab.offset() + (int) strtab.size() - 1, (int) strtab.offset()
                + (int) strtab.size(), (byte) 'x');
        expect(broken).hasMessageContaining("is not NUL-terminated inside its string table");
    }

    @Test
    void brokenSymbolsAreRejected() {
        int fw = symbolIndex("xdp_fw");
        expect(patchSymbol16(fw, 6, 0x7000)).hasMessageContaining("symbol " + fw
                + " 'xdp_fw' is in section 28672, but there are only 32 sections");
        expect(patchSymbol16(fw, 6, 0xff05)).hasMessageContaining("reserved section index 0xff05");
        expect(patchSymbol16(fw, 6, Elf.SHN_XINDEX)).hasMessageContaining("uses SHN_XINDEX, but there is no "
                + "SHT_SYMTAB_SHNDX section");
        expect(patchSymbol32(fw, 0, 0x10_0000)).hasMessageContaining("name of symbol " + fw);
        expect(patchSymbol64(fw, 16, 4096)).hasMessageContaining("symbol " + fw + " 'xdp_fw' (offset 0x0, size "
                + "4096) does not fit in section 'xdp' (296 bytes)");
        expect(patchSymbol64(fw, 8, -1L)).hasMessageContaining("does not fit in section 'xdp'");
        // SHN_ABS and SHN_COMMON are kept as they are.
        ElfFile common = ElfFile.parse(patchSymbol16(fw, 6, Elf.SHN_COMMON), NAME);
        assertThat(common.symbol(fw).isCommon()).isTrue();
        assertThat(common.symbol(fw).isInSection()).isFalse();

        int symtab = index(".symtab");
        expect(patchSection(symtab, 0x38, 16)).hasMessage(NAME + ": section '.symtab' (SHT_SYMTAB) has entry "
                + "size 16, expected 24 for a 64-bit symbol table");
        expect(patchSection(symtab, 0x20, parsed.section(symtab).size() - 1)).hasMessageContaining(
                "not a whole number of 24-byte symbol entries");
        expect(patchSection32(symtab, 0x28, index("xdp"))).hasMessageContaining("which is not a string table");
        expect(patchSection32(index(".BTF"), 4, Elf.SHT_SYMTAB)).hasMessageContaining("more than one symbol table");
    }

    @Test
    void extendedSectionIndicesAreResolvedThroughSymtabShndx() {
        // Turn .debug_abbrev (no relocations, large enough) into the SHT_SYMTAB_SHNDX table of
        // .symtab, and move xdp_fw's section index there.
        int fw = symbolIndex("xdp_fw");
        int shndx = index(".debug_abbrev");
        byte[] b = patchSymbol16(fw, 6, Elf.SHN_XINDEX);
        ByteBuffer buf = buffer(b);
        buf.putInt((int) shdr(shndx) + 4, Elf.SHT_SYMTAB_SHNDX);
        buf.putInt((int) shdr(shndx) + 0x28, index(".symtab"));
        buf.putInt((int) parsed.section(shndx).offset() + 4 * fw, index("xdp"));
        ElfFile elf = ElfFile.parse(b, NAME);
        assertThat(elf.symbol(fw).sectionIndex()).isEqualTo(index("xdp"));

        buffer(b).putInt((int) parsed.section(shndx).offset() + 4 * fw, 4000);
        expect(b).hasMessageContaining("symbol " + fw + " 'xdp_fw' is in section 4000, but there are only 32");
        buffer(b).putLong((int) shdr(shndx) + 0x20, 4L * fw);
        expect(b).hasMessageContaining("has no entry in section '.debug_abbrev' (SHT_SYMTAB_SHNDX)");
    }

    @Test
    void brokenRelocationsAreRejected() {
        ElfSection relXdp = parsed.section(".relxdp").orElseThrow();
        int first = (int) relXdp.offset();
        byte[] beyond = good.clone();
        buffer(beyond).putLong(first, 0x128 - 8);
        expect(beyond).hasMessage(NAME + ": relocation 0 in '.relxdp' (R_BPF_64_64) at offset 0x120 is beyond "
                + "the end of section 'xdp' (296 bytes)");
        byte[] far = good.clone();
        buffer(far).putLong(first, Long.MIN_VALUE);
        expect(far).hasMessageContaining("is beyond the end of section 'xdp'");
        byte[] symbol = good.clone();
        buffer(symbol).putInt(first + 12, 24);
        expect(symbol).hasMessageContaining("relocation 0 in '.relxdp' refers to symbol 24, but the symbol table "
                + "has 24 entries");
        expect(patchSection(relXdp.index(), 0x38, 24)).hasMessageContaining("has entry size 24, expected 16");
        // A relocation of a NOBITS section cannot have anywhere to apply.
        expect(patchSection32(relXdp.index(), 0x2c, index(".bss"))).hasMessageContaining(
                "is beyond the end of section '.bss' (0 bytes)");
    }

    @Test
    void relaSectionsAreRefusedWhereTheyApply() {
        int relText = index(".rel.text");
        byte[] rela = patchSection32(relText, 4, Elf.SHT_RELA);
        expect(rela).hasMessageContaining("'.rel.text' (SHT_RELA) has entry size 16, expected 24");
        buffer(rela).putLong((int) shdr(relText) + 0x38, 24);
        buffer(rela).putLong((int) shdr(relText) + 0x20, 0);
        ElfFile elf = ElfFile.parse(rela, NAME);
        assertThat(elf.relocations(elf.section("xdp").orElseThrow())).hasSize(6);
        assertThatThrownBy(() -> elf.relocations(elf.section(".text").orElseThrow()))
                .isInstanceOf(ElfFormatException.class)
                .hasMessageContaining("section '.rel.text' holds SHT_RELA relocations for '.text', but BPF objects "
                        + "use SHT_REL");
    }

    @Test
    void nullInputIsAnElfFormatException() {
        assertThatThrownBy(() -> ElfFile.parse(null, "x.o")).isInstanceOf(ElfFormatException.class)
                .hasMessage("x.o: no bytes given");
        assertThatThrownBy(() -> ElfFile.read(null)).isInstanceOf(ElfFormatException.class);
    }

    private AbstractThrowableAssert<?, ? extends Throwable> expect(byte[] bytes) {
        return assertThatThrownBy(() -> ElfFile.parse(bytes, NAME)).isInstanceOf(ElfFormatException.class)
                .hasMessageStartingWith(NAME + ": ");
    }

    private static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private long shdr(int index) {
        return buffer(good).getLong(0x28) + 64L * index;
    }

    private int index(String section) {
        return parsed.section(section).orElseThrow().index();
    }

    private int symbolIndex(String name) {
        return parsed.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().index();
    }

    private byte[] patch8(int at, int value) {
        byte[] b = good.clone();
        b[at] = (byte) value;
        return b;
    }

    private byte[] patch16(int at, int value) {
        byte[] b = good.clone();
        buffer(b).putShort(at, (short) value);
        return b;
    }

    private byte[] patch64(int at, long value) {
        byte[] b = good.clone();
        buffer(b).putLong(at, value);
        return b;
    }

    private byte[] patchSection(int index, int field, long value) {
        return patch64((int) shdr(index) + field, value);
    }

    private byte[] patchSection32(int index, int field, int value) {
        byte[] b = good.clone();
        buffer(b).putInt((int) shdr(index) + field, value);
        return b;
    }

    private int symbolOffset(int symbol) {
        return (int) parsed.section(".symtab").orElseThrow().offset() + 24 * symbol;
    }

    private byte[] patchSymbol16(int symbol, int field, int value) {
        return patch16(symbolOffset(symbol) + field, value);
    }

    private byte[] patchSymbol32(int symbol, int field, int value) {
        byte[] b = good.clone();
        buffer(b).putInt(symbolOffset(symbol) + field, value);
        return b;
    }

    private byte[] patchSymbol64(int symbol, int field, long value) {
        return patch64(symbolOffset(symbol) + field, value);
    }
}

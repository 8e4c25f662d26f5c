package dev.bpfunit.rawelf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One section of an ELF object: its header fields and a private copy of its contents.
 *
 * <p>{@code data} is empty for {@code SHT_NOBITS} sections (such as {@code .bss}) while {@code size}
 * still gives their size in memory. The record owns its bytes: the constructor copies them and
 * {@link #data()} returns a fresh copy, so an instance is immutable; use {@link #buffer()} for a
 * read-only view that does not copy.
 *
 * @param index     the section header index
 * @param name      the name from the section header string table
 * @param type      {@code sh_type}, one of {@code Elf.SHT_*}
 * @param flags     {@code sh_flags}, a combination of {@code Elf.SHF_*}
 * @param offset    {@code sh_offset}, the file offset of the contents
 * @param size      {@code sh_size}, the size of the contents (in memory for {@code SHT_NOBITS})
 * @param link      {@code sh_link}, a section index whose meaning depends on the type
 * @param info      {@code sh_info}, extra information whose meaning depends on the type
 * @param addralign {@code sh_addralign}
 * @param entsize   {@code sh_entsize}, the size of one entry for tables, else 0
 * @param data      the contents ({@code size} bytes), empty for {@code SHT_NOBITS}
 */
public record ElfSection(int index, String name, int type, long flags, long offset, long size, int link, int info,
        long addralign, long entsize, byte[] data) {

    public ElfSection {
        if (name == null) {
            throw new ElfFormatException("section " + index + " has no name");
        }
        data = data == null ? new byte[0] : data.clone();
    }

    /** Returns a copy of the contents; see {@link #buffer()} to read them without copying. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Returns a read-only little-endian view of the contents, positioned at 0. */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Returns the number of content bytes held (0 for {@code SHT_NOBITS}). */
    public int dataLength() {
        return data.length;
    }

    public boolean isNoBits() {
        return type == Elf.SHT_NOBITS;
    }

    public boolean isExecutable() {
        return (flags & Elf.SHF_EXECINSTR) != 0;
    }

    public boolean isAlloc() {
        return (flags & Elf.SHF_ALLOC) != 0;
    }

    public boolean isWritable() {
        return (flags & Elf.SHF_WRITE) != 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ElfSection s && index == s.index && name.equals(s.name) && type == s.type
                && flags == s.flags && offset == s.offset && size == s.size && link == s.link && info == s.info
                && addralign == s.addralign && entsize == s.entsize && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + name.hashCode()) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("ElfSection[%d %s %s flags=0x%x offset=0x%x size=%d link=%d info=%d align=%d entsize=%d]",
                index, name.isEmpty() ? "''" : name, Elf.sectionTypeName(type), flags, offset, size, link, info,
                addralign, entsize);
    }
}

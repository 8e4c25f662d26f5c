package dev.bpfunit.rawelf;

/**
 * One entry of the symbol table ({@code SHT_SYMTAB}) of an ELF object.
 *
 * @param index        the index in the symbol table (0 is the null symbol)
 * @param name         the name from the linked string table, empty if none
 * @param value        {@code st_value}: for a defined symbol, its offset in its section
 * @param size         {@code st_size}
 * @param type         the low nibble of {@code st_info}, one of {@code Elf.STT_*}
 * @param bind         the high nibble of {@code st_info}, one of {@code Elf.STB_*}
 * @param visibility   the low two bits of {@code st_other}, one of {@code Elf.STV_*}
 * @param sectionIndex the index of the section the symbol is defined in, or {@link Elf#SHN_UNDEF},
 *                     {@link Elf#SHN_ABS} or {@link Elf#SHN_COMMON}; an {@code SHN_XINDEX} entry
 *                     is already resolved through {@code SHT_SYMTAB_SHNDX}
 */
public record ElfSymbol(int index, String name, long value, long size, int type, int bind, int visibility,
        int sectionIndex) {

    public boolean isFunction() {
        return type == Elf.STT_FUNC;
    }

    public boolean isSection() {
        return type == Elf.STT_SECTION;
    }

    public boolean isObject() {
        return type == Elf.STT_OBJECT;
    }

    public boolean isLocal() {
        return bind == Elf.STB_LOCAL;
    }

    public boolean isGlobal() {
        return bind == Elf.STB_GLOBAL;
    }

    public boolean isWeak() {
        return bind == Elf.STB_WEAK;
    }

    /** Returns true for a symbol that names something outside the object ({@code SHN_UNDEF}), e.g. an extern. */
    public boolean isUndefined() {
        return sectionIndex == Elf.SHN_UNDEF;
    }

    public boolean isAbsolute() {
        return sectionIndex == Elf.SHN_ABS;
    }

    public boolean isCommon() {
        return sectionIndex == Elf.SHN_COMMON;
    }

    /** Returns true if the symbol is defined in a real section of the object. */
    public boolean isInSection() {
        return sectionIndex != Elf.SHN_UNDEF && sectionIndex != Elf.SHN_ABS && sectionIndex != Elf.SHN_COMMON;
    }
}

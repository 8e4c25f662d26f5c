package dev.bpfunit.rawelf;

/**
 * One entry of an {@code SHT_REL} section: a place in the target section that refers to a symbol.
 *
 * @param offset      {@code r_offset}: the byte offset in the target section (for code, the start
 *                    of the instruction, a multiple of 8)
 * @param symbolIndex the index of the referenced symbol in {@link ElfFile#symbols()}
 * @param type        the relocation type, one of {@code Elf.R_BPF_*}
 */
public record ElfRelocation(long offset, int symbolIndex, int type) {

    @Override
    public String toString() {
        return String.format("ElfRelocation[0x%x %s symbol %d]", offset, Elf.relocationTypeName(type), symbolIndex);
    }
}

package dev.bpfunit.rawelf;

/**
 * Names the numeric constants of the ELF format that a BPF object uses (section types and flags,
 * symbol types, bindings and visibilities, special section indices, machine and relocation types).
 *
 * <p>Values are those of the System V gABI and of LLVM's BPF backend ({@code R_BPF_*}).
 */
public final class Elf {
    private Elf() {
    }

    // Section header types (sh_type).
    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_HASH = 5;
    public static final int SHT_DYNAMIC = 6;
    public static final int SHT_NOTE = 7;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final int SHT_DYNSYM = 11;
    public static final int SHT_SYMTAB_SHNDX = 18;

    // Section header flags (sh_flags).
    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_MERGE = 0x10;
    public static final long SHF_STRINGS = 0x20;
    public static final long SHF_INFO_LINK = 0x40;

    // Symbol types (low nibble of st_info).
    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    // Symbol bindings (high nibble of st_info).
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    // Symbol visibilities (low two bits of st_other).
    public static final int STV_DEFAULT = 0;
    public static final int STV_INTERNAL = 1;
    public static final int STV_HIDDEN = 2;
    public static final int STV_PROTECTED = 3;

    // Special section indices (st_shndx).
    public static final int SHN_UNDEF = 0;
    public static final int SHN_LORESERVE = 0xff00;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;
    public static final int SHN_XINDEX = 0xffff;

    // Object file types (e_type).
    public static final int ET_NONE = 0;
    public static final int ET_REL = 1;
    public static final int ET_EXEC = 2;
    public static final int ET_DYN = 3;
    public static final int ET_CORE = 4;

    // Machines (e_machine) that BPF objects are confused with, and BPF itself.
    public static final int EM_386 = 3;
    public static final int EM_ARM = 40;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    public static final int EM_RISCV = 243;
    public static final int EM_BPF = 247;

    // Relocation types of the BPF backend.
    public static final int R_BPF_NONE = 0;
    public static final int R_BPF_64_64 = 1;
    public static final int R_BPF_64_ABS64 = 2;
    public static final int R_BPF_64_ABS32 = 3;
    public static final int R_BPF_64_NODYLD32 = 4;
    public static final int R_BPF_64_32 = 10;

    /** Returns the name of an {@code e_machine} value for messages, e.g. {@code "x86-64"}. */
    public static String machineName(int machine) {
        return switch (machine) {
            case 0 -> "no-machine";
            case EM_386 -> "i386";
            case 8 -> "MIPS";
            case 20 -> "PowerPC";
            case 21 -> "PowerPC64";
            case 22 -> "s390";
            case EM_ARM -> "ARM";
            case EM_X86_64 -> "x86-64";
            case EM_AARCH64 -> "AArch64";
            case EM_RISCV -> "RISC-V";
            case 258 -> "LoongArch";
            case EM_BPF -> "BPF";
            default -> "machine " + machine;
        };
    }

    /** Returns the name of a section type for messages, e.g. {@code "SHT_REL"}. */
    public static String sectionTypeName(int type) {
        return switch (type) {
            case SHT_NULL -> "SHT_NULL";
            case SHT_PROGBITS -> "SHT_PROGBITS";
            case SHT_SYMTAB -> "SHT_SYMTAB";
            case SHT_STRTAB -> "SHT_STRTAB";
            case SHT_RELA -> "SHT_RELA";
            case SHT_HASH -> "SHT_HASH";
            case SHT_DYNAMIC -> "SHT_DYNAMIC";
            case SHT_NOTE -> "SHT_NOTE";
            case SHT_NOBITS -> "SHT_NOBITS";
            case SHT_REL -> "SHT_REL";
            case SHT_DYNSYM -> "SHT_DYNSYM";
            case SHT_SYMTAB_SHNDX -> "SHT_SYMTAB_SHNDX";
            default -> String.format("0x%x", type);
        };
    }

    /** Returns the name of a BPF relocation type for messages, e.g. {@code "R_BPF_64_64"}. */
    public static String relocationTypeName(int type) {
        return switch (type) {
            case R_BPF_NONE -> "R_BPF_NONE";
            case R_BPF_64_64 -> "R_BPF_64_64";
            case R_BPF_64_ABS64 -> "R_BPF_64_ABS64";
            case R_BPF_64_ABS32 -> "R_BPF_64_ABS32";
            case R_BPF_64_NODYLD32 -> "R_BPF_64_NODYLD32";
            case R_BPF_64_32 -> "R_BPF_64_32";
            default -> "R_BPF_" + type;
        };
    }
}

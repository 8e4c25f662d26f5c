package dev.bpfunit.rawelf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A 64-bit little-endian EM_BPF relocatable ELF object, read into immutable sections, symbols and relocations.
 *
 * <p>This package is the raw ELF leaf: sections, symbols and relocations as bytes, with no knowledge of BPF
 * programs, maps or BTF, so that both {@code btf} and {@code elf} can read ELF through it.
 *
 * <p>This is the low-level reader under the object loader: it checks the whole structure while
 * parsing (header, section table, string tables, symbols, relocations), so that everything it
 * returns is in range. Any defect is reported as an {@link ElfFormatException} naming the file,
 * the defect and the likely cause; no other exception escapes for malformed input.
 */
public final class ElfFile {
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int REL_SIZE = 16;
    private static final int RELA_SIZE = 24;
    /** How to build a BPF object from its source: what error messages tell a user to run. */
    public static final String BUILD_COMMAND = "clang -O2 -g -target bpf -c prog.bpf.c -o prog.bpf.o";
    private static final String BUILD_HINT = "build it with " + BUILD_COMMAND;

    private final String name;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;
    private final Map<Integer, List<ElfRelocation>> relocations;
    private final Map<Integer, String> relaSections;

    private ElfFile(String name, List<ElfSection> sections, List<ElfSymbol> symbols,
            Map<Integer, List<ElfRelocation>> relocations, Map<Integer, String> relaSections) {
        this.name = name;
        this.sections = sections;
        this.symbols = symbols;
        this.relocations = relocations;
        this.relaSections = relaSections;
    }

    /**
     * Parses an object held in memory.
     *
     * @param bytes the whole file; not kept (sections copy what they need)
     * @param name  how messages name the object, e.g. {@code "xdp_fw.bpf.o"}
     * @throws ElfFormatException if the bytes are not a well-formed BPF relocatable object
     */
    public static ElfFile parse(byte[] bytes, String name) {
        String label = name == null || name.isBlank() ? "<unnamed object>" : name;
        if (bytes == null) {
            throw new ElfFormatException(label + ": no bytes given");
        }
        return new Parser(bytes, label, true).parse();
    }

    /**
     * Reads the section table of any 64-bit ELF file, of either byte order (a vmlinux, a kernel module, a BPF
     * object): the sections with their bytes, and no symbols or relocations. This is how {@code btf} finds
     * {@code .BTF} without an ELF reader of its own.
     *
     * @throws ElfFormatException if the bytes are not a well-formed 64-bit ELF file
     */
    public static ElfFile parseSections(byte[] bytes, String name) {
        String label = name == null || name.isBlank() ? "<unnamed ELF file>" : name;
        if (bytes == null) {
            throw new ElfFormatException(label + ": no bytes given");
        }
        return new Parser(bytes, label, false).parse();
    }

    /** Whether the bytes start with the ELF magic {@code 7f 45 4c 46}. */
    public static boolean isElf(byte[] bytes) {
        return bytes != null && bytes.length >= 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L'
                && bytes[3] == 'F';
    }

    /**
     * Reads and parses an object file.
     *
     * @throws ElfFormatException if the file is missing, unreadable or not a well-formed BPF object
     */
    public static ElfFile read(Path path) {
        if (path == null) {
            throw new ElfFormatException("no object file path given");
        }
        Path file = path.getFileName();
        String label = file == null ? path.toString() : file.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new ElfFormatException("object file " + path.toAbsolutePath()
                        + " is a directory: give the path of the compiled .o file inside it");
            }
            long size = Files.size(path);
            if (size > Integer.MAX_VALUE - 8) {
                throw new ElfFormatException("object file " + path.toAbsolutePath() + " is " + size
                        + " bytes, too large for a BPF object: is this the right file?");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ElfFormatException("object file " + path.toAbsolutePath()
                    + " does not exist: " + BUILD_HINT + ", or fix the path (relative paths are resolved against "
                    + Path.of("").toAbsolutePath() + ")", e);
        } catch (AccessDeniedException e) {
            throw new ElfFormatException("object file " + path.toAbsolutePath()
                    + " is not readable (permission denied): fix its permissions or run as its owner", e);
        } catch (FileSystemException e) {
            if ("Too many open files".equals(e.getReason())) {
                // EMFILE: not a defect of the object, and the fix is elsewhere
                throw new dev.bpfunit.error.BpfException("object file " + path.toAbsolutePath() + " cannot be opened: "
                        + "EMFILE (Too many open files): " + dev.bpfunit.error.BpfException.TOO_MANY_OPEN_FILES, e);
            }
            throw new ElfFormatException("object file " + path.toAbsolutePath() + " cannot be read: " + e, e);
        } catch (IOException e) {
            throw new ElfFormatException("object file " + path.toAbsolutePath() + " cannot be read: " + e, e);
        }
        return new Parser(bytes, label, true).parse();
    }

    /** Returns the name used in messages. */
    public String name() {
        return name;
    }

    /** Returns all sections; the list index is the section header index (0 is the null section). */
    public List<ElfSection> sections() {
        return sections;
    }

    /** Returns the first section with this name, if any. */
    public Optional<ElfSection> section(String sectionName) {
        for (ElfSection s : sections) {
            if (s.name().equals(sectionName)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the section with this header index.
     *
     * @throws ElfFormatException if there is no such section
     */
    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw new ElfFormatException(name + ": no section " + index + " (the object has " + sections.size()
                    + " sections, 0 to " + (sections.size() - 1) + ")");
        }
        return sections.get(index);
    }

    /** Returns the symbol table; the list index is the symbol index (0 is the null symbol). Empty if there is none. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /**
     * Returns the symbol with this index.
     *
     * @throws ElfFormatException if there is no such symbol
     */
    public ElfSymbol symbol(int index) {
        if (index < 0 || index >= symbols.size()) {
            throw new ElfFormatException(name + ": no symbol " + index + " (the symbol table has " + symbols.size()
                    + " entries)");
        }
        return symbols.get(index);
    }

    /**
     * Returns the relocations that apply to a section: the entries of every {@code SHT_REL} section
     * whose {@code sh_info} is the target's index, in file order. Their offsets and symbol indices
     * were checked when the file was parsed.
     *
     * @throws ElfFormatException if the target is not a section of this file, or if an
     *                            {@code SHT_RELA} section applies to it (BPF objects use {@code SHT_REL})
     */
    public List<ElfRelocation> relocations(ElfSection target) {
        if (target == null || target.index() < 0 || target.index() >= sections.size()
                || !sections.get(target.index()).equals(target)) {
            throw new ElfFormatException(name + ": " + target + " is not a section of this object");
        }
        String rela = relaSections.get(target.index());
        if (rela != null) {
            throw new ElfFormatException(name + ": section '" + rela + "' holds SHT_RELA relocations for '"
                    + target.name() + "', but BPF objects use SHT_REL: was it produced by a tool other than "
                    + "clang/LLVM for -target bpf (e.g. a linker for another architecture)?");
        }
        return relocations.getOrDefault(target.index(), List.of());
    }

    @Override
    public String toString() {
        return "ElfFile[" + name + ", " + sections.size() + " sections, " + symbols.size() + " symbols]";
    }

    /** Reads one file; all offsets are longs and every access is checked against the file length. */
    private static final class Parser {
        private final byte[] bytes;
        private final String name;
        /** A BPF relocatable object (checked strictly, symbols and relocations read) or any ELF's sections. */
        private final boolean bpfObject;
        private boolean bigEndian;

        Parser(byte[] bytes, String name, boolean bpfObject) {
            this.bytes = bytes;
            this.name = name;
            this.bpfObject = bpfObject;
        }

        ElfFile parse() {
            checkIdentification();
            int type = u16(16);
            int machine = u16(18);
            if (!bpfObject) {
                // any machine and type: only the section table is read
            } else if (machine != Elf.EM_BPF) {
                throw error(Elf.machineName(machine) + " object, not BPF (e_machine " + machine
                        + "): compile with clang -target bpf");
            }
            if (bpfObject && type != Elf.ET_REL) {
                throw error(switch (type) {
                    case Elf.ET_EXEC, Elf.ET_DYN -> "a linked " + (type == Elf.ET_EXEC ? "executable" : "shared object")
                            + ", not a relocatable object: load the .o that clang -c produced, not a linked file";
                    default -> "ELF type " + type + " is not ET_REL (relocatable object): " + BUILD_HINT;
                });
            }
            long shoff = u64(0x28);
            int shentsize = u16(0x3a);
            long shnum = u16(0x3c);
            int shstrndx = u16(0x3e);
            if (shoff == 0) {
                throw error("no section header table (e_shoff is 0): the file is not a complete object; " + BUILD_HINT);
            }
            if (shentsize != SHDR_SIZE) {
                throw error("section header size e_shentsize is " + shentsize + ", expected " + SHDR_SIZE
                        + ": the header is corrupt");
            }
            checkRange(shoff, SHDR_SIZE, "section header 0");
            if (shnum == 0) {
                // More than 0xff00 sections: the count lives in section 0's sh_size.
                shnum = u64(shoff + 0x20);
            }
            if (shstrndx == Elf.SHN_XINDEX) {
                shstrndx = u32(shoff + 0x28) > Integer.MAX_VALUE ? -1 : (int) u32(shoff + 0x28);
            }
            if (shnum <= 0 || shnum > (bytes.length - shoff) / SHDR_SIZE) {
                throw error("section header table at offset " + shoff + " with " + Long.toUnsignedString(shnum)
                        + " entries does not fit in the file (" + bytes.length + " bytes): the file is truncated");
            }
            int count = (int) shnum;
            if (shstrndx <= 0 || shstrndx >= count) {
                throw error("section name table index e_shstrndx " + shstrndx + " is out of range (1 to "
                        + (count - 1) + ")");
            }

            long[][] headers = new long[count][];
            for (int i = 0; i < count; i++) {
                headers[i] = readHeader(shoff + (long) i * SHDR_SIZE, i, count);
            }
            if (headers[0][1] != Elf.SHT_NULL) {
                throw error("section 0 has type " + Elf.sectionTypeName((int) headers[0][1])
                        + ", expected SHT_NULL: the section table is corrupt");
            }
            long[] shstr = headers[shstrndx];
            if (shstr[1] != Elf.SHT_STRTAB) {
                throw error("section name table (section " + shstrndx + ") has type "
                        + Elf.sectionTypeName((int) shstr[1]) + ", expected SHT_STRTAB");
            }
            List<ElfSection> sections = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long[] h = headers[i];
                String sectionName = string(shstr, h[0], "name of section ", i);
                boolean noBits = h[1] == Elf.SHT_NOBITS || h[1] == Elf.SHT_NULL;
                byte[] data = noBits ? new byte[0] : slice(h[4], h[5]);
                sections.add(new ElfSection(i, sectionName, (int) h[1], h[2], h[4], h[5], (int) h[6], (int) h[7],
                        h[8], h[9], data));
            }
            List<ElfSection> frozen = List.copyOf(sections);
            if (!bpfObject) {
                return new ElfFile(name, frozen, List.of(), Map.of(), Map.of());
            }
            List<ElfSymbol> symbols = readSymbols(frozen, headers);
            Map<Integer, List<ElfRelocation>> relocations = new HashMap<>();
            Map<Integer, String> relas = new HashMap<>();
            for (ElfSection s : frozen) {
                if (s.type() == Elf.SHT_REL) {
                    ElfSection target = relocationTarget(frozen, s);
                    relocations.computeIfAbsent(target.index(), k -> new ArrayList<>())
                            .addAll(readRelocations(s, target, symbols.size()));
                } else if (s.type() == Elf.SHT_RELA) {
                    relocationTarget(frozen, s);
                    checkTable(s, RELA_SIZE, "relocation");
                    relas.putIfAbsent(s.info(), s.name());
                }
            }
            Map<Integer, List<ElfRelocation>> frozenRelocations = relocations.entrySet().stream()
                    .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue())));
            return new ElfFile(name, frozen, symbols, frozenRelocations, Collections.unmodifiableMap(relas));
        }

        private void checkIdentification() {
            if (bytes.length < 4 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
                StringBuilder magic = new StringBuilder();
                for (int i = 0; i < Math.min(4, bytes.length); i++) {
                    magic.append(String.format("%02x", bytes[i] & 0xff));
                }
                throw error("not an ELF file (magic " + (magic.length() == 0 ? "missing, the file is empty" : magic)
                        + ", expected 7f454c46): is this the compiled object? " + BUILD_HINT);
            }
            if (bytes.length < EHDR_SIZE) {
                throw error("truncated ELF header (" + bytes.length + " of " + EHDR_SIZE
                        + " bytes): the file is incomplete; rebuild it");
            }
            int elfClass = bytes[4];
            if (elfClass == 1) {
                throw error("32-bit (ELFCLASS32) object: BPF objects are 64-bit; compile with clang -target bpf");
            }
            if (elfClass != 2) {
                throw error("unknown ELF class " + elfClass + " (expected 2, ELFCLASS64): the header is corrupt");
            }
            int data = bytes[5];
            if (data == 2 && !bpfObject) {
                bigEndian = true;
            } else if (data == 2) {
                throw error("big-endian object: compile with -target bpfel or bpf on a little-endian host");
            }
            if (data != 1) {
                throw error("unknown ELF data encoding " + data
                        + " (expected 1, little-endian): the header is corrupt");
            }
            if (bytes[6] != 1) {
                throw error("unknown ELF version " + bytes[6] + " (expected 1): the header is corrupt");
            }
        }

        /** Returns {name, type, flags, addr, offset, size, link, info, addralign, entsize}, checked. */
        private long[] readHeader(long at, int index, int count) {
            long[] h = {u32(at), u32(at + 4), u64(at + 8), u64(at + 0x10), u64(at + 0x18), u64(at + 0x20),
                u32(at + 0x28), u32(at + 0x2c), u64(at + 0x30), u64(at + 0x38)};
            if (index == 0) {
                return h;
            }
            if (h[1] != Elf.SHT_NOBITS && h[1] != Elf.SHT_NULL) {
                if (!inFile(h[4], h[5])) {
                    throw beyondEnd(h[4], h[5], "section " + index + " data");
                }
            } else if (h[5] < 0) {
                throw error("section " + index + " has size " + Long.toUnsignedString(h[5])
                        + ", which is not plausible");
            } else if ((h[2] & Elf.SHF_EXECINSTR) != 0 && h[5] > 0) {
                // NOBITS and NULL sections hold no bytes in the file: code there would be read from nowhere
                throw error("section " + index + " is executable (SHF_EXECINSTR) but has type "
                        + Elf.sectionTypeName((int) h[1]) + ", so its " + h[5]
                        + " bytes of instructions are not in the file: the section table is corrupt");
            }
            if (h[6] >= count) {
                throw error("section " + index + " has sh_link " + h[6] + ", but there are only " + count
                        + " sections");
            }
            boolean infoIsSection = h[1] == Elf.SHT_REL || h[1] == Elf.SHT_RELA || (h[2] & Elf.SHF_INFO_LINK) != 0;
            if (infoIsSection && h[7] >= count) {
                throw error("section " + index + " has sh_info " + h[7] + ", but there are only " + count
                        + " sections");
            }
            return h;
        }

        private List<ElfSymbol> readSymbols(List<ElfSection> sections, long[][] headers) {
            ElfSection symtab = null;
            for (ElfSection s : sections) {
                if (s.type() == Elf.SHT_SYMTAB) {
                    if (symtab != null) {
                        throw error("more than one symbol table (sections '" + symtab.name() + "' and '" + s.name()
                                + "'): the object is corrupt");
                    }
                    symtab = s;
                }
            }
            if (symtab == null) {
                return List.of();
            }
            int count = checkTable(symtab, SYM_SIZE, "symbol");
            if (symtab.link() == 0 || sections.get(symtab.link()).type() != Elf.SHT_STRTAB) {
                throw error("symbol table '" + symtab.name() + "' links to section " + symtab.link()
                        + ", which is not a string table");
            }
            long[] strtab = headers[symtab.link()];
            ElfSection shndx = null;
            for (ElfSection s : sections) {
                if (s.type() == Elf.SHT_SYMTAB_SHNDX && s.link() == symtab.index()) {
                    shndx = s;
                }
            }
            List<ElfSymbol> symbols = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long at = symtab.offset() + (long) i * SYM_SIZE;
                String symbolName = string(strtab, u32(at), "name of symbol ", i);
                int info = bytes[(int) at + 4] & 0xff;
                int other = bytes[(int) at + 5] & 0xff;
                int section = u16(at + 6);
                if (section == Elf.SHN_XINDEX) {
                    section = extendedIndex(shndx, i, symbolName);
                } else if (section >= Elf.SHN_LORESERVE && section != Elf.SHN_ABS && section != Elf.SHN_COMMON) {
                    throw error(String.format("symbol %d '%s' has the reserved section index 0x%x, which BPF "
                            + "objects do not use", i, symbolName, section));
                }
                if (section != Elf.SHN_ABS && section != Elf.SHN_COMMON && section >= sections.size()) {
                    throw error("symbol " + i + " '" + symbolName + "' is in section " + section
                            + ", but there are only " + sections.size() + " sections");
                }
                ElfSymbol symbol = new ElfSymbol(i, symbolName, u64(at + 8), u64(at + 16), info & 0xf, info >>> 4,
                        other & 0x3, section);
                checkExtent(symbol, sections);
                symbols.add(symbol);
            }
            return List.copyOf(symbols);
        }

        /** Checks that a function or variable lies inside the section that defines it. */
        private void checkExtent(ElfSymbol symbol, List<ElfSection> sections) {
            if (!symbol.isInSection() || symbol.sectionIndex() == 0 || !(symbol.isFunction() || symbol.isObject())) {
                return;
            }
            ElfSection section = sections.get(symbol.sectionIndex());
            long value = symbol.value();
            long size = symbol.size();
            if (value < 0 || size < 0 || value > section.size() || size > section.size() - value) {
                throw error(String.format("symbol %d '%s' (offset 0x%x, size %s) does not fit in section '%s' "
                        + "(%d bytes): the object is corrupt", symbol.index(), symbol.name(), value,
                        Long.toUnsignedString(size), section.name(), section.size()));
            }
        }

        private int extendedIndex(ElfSection shndx, int symbol, String symbolName) {
            if (shndx == null) {
                throw error("symbol " + symbol + " '" + symbolName
                        + "' uses SHN_XINDEX, but there is no SHT_SYMTAB_SHNDX section");
            }
            long at = (long) symbol * 4;
            if (at + 4 > shndx.dataLength()) {
                throw error("symbol " + symbol + " '" + symbolName + "' has no entry in section '" + shndx.name()
                        + "' (SHT_SYMTAB_SHNDX)");
            }
            long index = u32(shndx.offset() + at);
            return index > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) index;
        }

        private ElfSection relocationTarget(List<ElfSection> sections, ElfSection rel) {
            if (rel.info() == 0) {
                throw error("relocation section '" + rel.name() + "' does not say which section it applies to "
                        + "(sh_info is 0)");
            }
            if (sections.get(rel.link()).type() != Elf.SHT_SYMTAB) {
                throw error("relocation section '" + rel.name() + "' links to section " + rel.link()
                        + ", which is not the symbol table");
            }
            return sections.get(rel.info());
        }

        private List<ElfRelocation> readRelocations(ElfSection rel, ElfSection target, int symbolCount) {
            int count = checkTable(rel, REL_SIZE, "relocation");
            List<ElfRelocation> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long at = rel.offset() + (long) i * REL_SIZE;
                long offset = u64(at);
                long info = u64(at + 8);
                long symbol = info >>> 32;
                int type = (int) (info & 0xffffffffL);
                if (symbol >= symbolCount) {
                    String what = relocationWhat(i, rel);
                    throw error(what + " refers to symbol " + symbol + ", but the symbol table has " + symbolCount
                            + " entries");
                }
                if (!Elf.isBpfRelocationType(type)) {
                    String what = relocationWhat(i, rel);
                    throw error(String.format("%s has relocation type %d (0x%x), which the BPF backend does not "
                            + "define (known: R_BPF_NONE 0, R_BPF_64_64 1, R_BPF_64_ABS64 2, R_BPF_64_ABS32 3, "
                            + "R_BPF_64_NODYLD32 4, R_BPF_64_32 10): the object is corrupt or not from clang "
                            + "-target bpf", what, Integer.toUnsignedLong(type), type));
                }
                long width = relocationWidth(type, target);
                long limit = target.isNoBits() ? 0 : target.size();
                if (offset < 0 || offset > limit - width) {
                    String what = relocationWhat(i, rel);
                    throw error(String.format("%s (%s) at offset 0x%x is beyond the end of section '%s' (%d bytes)",
                            what, Elf.relocationTypeName(type), offset, target.name(), limit));
                }
                out.add(new ElfRelocation(offset, (int) symbol, type));
            }
            return out;
        }

        private static String relocationWhat(int i, ElfSection rel) {
            return "relocation " + i + " in '" + rel.name() + "'";
        }

        /**
         * Bytes a relocation touches, starting at its offset; 1 for R_BPF_NONE. In code,
         * R_BPF_64_64 marks a two-slot ld_imm64 and R_BPF_64_32 a call; LLVM before version 12 also
         * used them for 8- and 4-byte data fields, so elsewhere they get the data widths.
         */
        private static long relocationWidth(int type, ElfSection target) {
            boolean code = target.isExecutable();
            return switch (type) {
                case Elf.R_BPF_64_64 -> code ? 16 : 8;
                case Elf.R_BPF_64_32 -> code ? 8 : 4;
                case Elf.R_BPF_64_ABS64 -> 8;
                case Elf.R_BPF_64_ABS32, Elf.R_BPF_64_NODYLD32 -> 4;
                default -> 1;
            };
        }

        /** Checks a table section's entry size and returns its entry count. */
        private int checkTable(ElfSection s, int entsize, String entry) {
            if (s.entsize() != entsize) {
                throw error("section '" + s.name() + "' (" + Elf.sectionTypeName(s.type()) + ") has entry size "
                        + s.entsize() + ", expected " + entsize + " for a 64-bit " + entry + " table");
            }
            if (s.size() % entsize != 0) {
                throw error("section '" + s.name() + "' is " + s.size() + " bytes, not a whole number of "
                        + entsize + "-byte " + entry + " entries: the object is corrupt");
            }
            return (int) (s.size() / entsize);
        }

        /**
         * Reads a NUL-terminated string at {@code offset} inside the string table with header {@code table}; messages
         * name it {@code what + index} (made only when one is thrown).
         */
        private String string(long[] table, long offset, String what, int index) {
            long size = table[5];
            if (offset >= size) {
                throw error(what + index + " is at offset " + offset + " of its string table, which has only " + size
                        + " bytes");
            }
            int start = (int) (table[4] + offset);
            int end = (int) (table[4] + size);
            for (int i = start; i < end; i++) {
                if (bytes[i] == 0) {
                    return new String(bytes, start, i - start, StandardCharsets.UTF_8);
                }
            }
            throw error(what + index + " at offset " + offset + " is not NUL-terminated inside its string table");
        }

        private byte[] slice(long offset, long size) {
            byte[] out = new byte[(int) size];
            System.arraycopy(bytes, (int) offset, out, 0, (int) size);
            return out;
        }

        private void checkRange(long offset, long size, String what) {
            if (!inFile(offset, size)) {
                throw beyondEnd(offset, size, what);
            }
        }

        /** Whether {@code size} bytes at {@code offset} lie inside the file. */
        private boolean inFile(long offset, long size) {
            return offset >= 0 && size >= 0 && offset <= bytes.length && size <= bytes.length - offset;
        }

        private ElfFormatException beyondEnd(long offset, long size, String what) {
            return error(what + " at offset " + Long.toUnsignedString(offset) + " with size "
                    + Long.toUnsignedString(size) + " lies beyond the end of the file (" + bytes.length
                    + " bytes): the file is truncated or corrupt");
        }

        private int u16(long at) {
            checkRange(at, 2, "field");
            int i = (int) at;
            if (bigEndian) {
                return (bytes[i] & 0xff) << 8 | (bytes[i + 1] & 0xff);
            }
            return (bytes[i] & 0xff) | (bytes[i + 1] & 0xff) << 8;
        }

        private long u32(long at) {
            checkRange(at, 4, "field");
            int i = (int) at;
            if (bigEndian) {
                return (bytes[i] & 0xffL) << 24 | (bytes[i + 1] & 0xffL) << 16 | (bytes[i + 2] & 0xffL) << 8
                        | (bytes[i + 3] & 0xffL);
            }
            return (bytes[i] & 0xffL) | (bytes[i + 1] & 0xffL) << 8 | (bytes[i + 2] & 0xffL) << 16
                    | (bytes[i + 3] & 0xffL) << 24;
        }

        private long u64(long at) {
            return bigEndian ? u32(at) << 32 | u32(at + 4) : u32(at) | u32(at + 4) << 32;
        }

        private ElfFormatException error(String message) {
            return new ElfFormatException(name + ": " + message);
        }
    }
}

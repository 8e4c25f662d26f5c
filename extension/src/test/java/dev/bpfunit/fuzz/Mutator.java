package dev.bpfunit.fuzz;

import dev.bpfunit.rawelf.Elf;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfSection;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Structure-aware mutations of BPF objects, BTF, BTF.ext and verifier logs for the fuzzer: it knows where the
 * fields of a seed lie (ELF header, section headers, symbols, relocations, BTF header/types/strings, BTF.ext
 * header and records, legacy map definitions) and sets them to values that stress the readers' checks.
 */
final class Mutator {

    /** One integer field of a seed: where it is and how wide (1, 2, 4 or 8 bytes). */
    record Field(int offset, int width, String what) {
    }

    /** A seed and the fields found in it. */
    record Seed(String name, byte[] bytes, List<Field> fields, List<int[]> ranges) {
    }

    private static final long[] INTERESTING = {0, 1, 2, 3, 4, 7, 8, 12, 16, 20, 24, 28, 64, 127, 128, 255, 256,
        0x7fff, 0x8000, 0xffff, 0x10000, 0xff00, 0xfff1, 0xffff_ffL, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL,
        0x1_0000_0000L, 512L << 20, 1L << 31, Long.MAX_VALUE, -1L, -8L, Long.MIN_VALUE};

    private static final int[] SECTION_TYPES = {Elf.SHT_NULL, Elf.SHT_PROGBITS, Elf.SHT_SYMTAB, Elf.SHT_STRTAB,
        Elf.SHT_RELA, Elf.SHT_NOBITS, Elf.SHT_REL, Elf.SHT_SYMTAB_SHNDX, Elf.SHT_DYNSYM, Elf.SHT_NOTE};

    private final Random random;

    Mutator(Random random) {
        this.random = random;
    }

    // ---------------------------------------------------------------- seeds

    /** Finds the fields of a valid ELF object (header, section headers, symbols, relocations, BTF, legacy maps). */
    static Seed elfSeed(String name, byte[] bytes) {
        List<Field> fields = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        ElfFile elf = ElfFile.parse(bytes, name);
        ByteBuffer b = le(bytes);
        int[][] ehdr = {{0x10, 2}, {0x12, 2}, {0x28, 8}, {0x3a, 2}, {0x3c, 2}, {0x3e, 2}, {4, 1}, {5, 1}};
        for (int[] f : ehdr) {
            fields.add(new Field(f[0], f[1], "e_" + Integer.toHexString(f[0])));
        }
        int shoff = (int) b.getLong(0x28);
        for (ElfSection s : elf.sections()) {
            int at = shoff + s.index() * 64;
            int[][] shdr = {{0, 4}, {4, 4}, {8, 8}, {0x18, 8}, {0x20, 8}, {0x28, 4}, {0x2c, 4}, {0x30, 8},
                {0x38, 8}};
            for (int[] f : shdr) {
                fields.add(new Field(at + f[0], f[1], "shdr " + s.name() + "+" + f[0]));
            }
            if (s.isNoBits() || s.size() == 0) {
                continue;
            }
            int off = (int) s.offset();
            int size = (int) s.size();
            ranges.add(new int[]{off, size});
            if (s.type() == Elf.SHT_SYMTAB) {
                for (int e = off; e + 24 <= off + size; e += 24) {
                    int[][] sym = {{0, 4}, {4, 1}, {5, 1}, {6, 2}, {8, 8}, {16, 8}};
                    for (int[] f : sym) {
                        fields.add(new Field(e + f[0], f[1], "sym+" + f[0]));
                    }
                }
            } else if (s.type() == Elf.SHT_REL) {
                for (int e = off; e + 16 <= off + size; e += 16) {
                    fields.add(new Field(e, 8, "r_offset"));
                    fields.add(new Field(e + 8, 4, "r_type"));
                    fields.add(new Field(e + 12, 4, "r_sym"));
                }
            } else if (s.name().equals(".BTF")) {
                btfFields(bytes, off, size, fields);
            } else if (s.name().equals(".BTF.ext")) {
                extFields(bytes, off, size, fields);
            } else if (s.name().equals("maps") || s.name().equals(".maps") || s.isExecutable()) {
                for (int e = off; e + 4 <= off + size; e += 4) {
                    fields.add(new Field(e, 4, s.name() + " word"));
                }
            }
        }
        return new Seed(name, bytes, List.copyOf(fields), List.copyOf(ranges));
    }

    /** Finds the fields of a raw BTF blob. */
    static Seed btfSeed(String name, byte[] bytes) {
        List<Field> fields = new ArrayList<>();
        btfFields(bytes, 0, bytes.length, fields);
        return new Seed(name, bytes, List.copyOf(fields), List.of(new int[]{0, bytes.length}));
    }

    /**
     * A BTF.ext input is self-contained: a 4-byte length, the BTF it refers to, then the BTF.ext bytes; the
     * fields are those of the BTF.ext part (the BTF is only occasionally mutated, through byte mutations).
     */
    static Seed extSeed(String name, byte[] btf, byte[] ext) {
        byte[] bytes = ByteBuffer.allocate(4 + btf.length + ext.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(btf.length).put(btf).put(ext).array();
        List<Field> fields = new ArrayList<>();
        extFields(bytes, 4 + btf.length, ext.length, fields);
        return new Seed(name, bytes, List.copyOf(fields), List.of(new int[]{4 + btf.length, ext.length}));
    }

    /** A verifier log seed: its lines are the structure. */
    static Seed logSeed(String name, String text) {
        return new Seed(name, text.getBytes(StandardCharsets.UTF_8), List.of(), List.of());
    }

    private static void btfFields(byte[] bytes, int off, int size, List<Field> fields) {
        if (size < 24) {
            return;
        }
        ByteBuffer b = le(bytes);
        int[][] hdr = {{0, 2}, {2, 1}, {3, 1}, {4, 4}, {8, 4}, {12, 4}, {16, 4}, {20, 4}};
        for (int[] f : hdr) {
            fields.add(new Field(off + f[0], f[1], "btf header+" + f[0]));
        }
        int hdrLen = b.getInt(off + 4);
        int typeStart = off + hdrLen + b.getInt(off + 8);
        int typeEnd = typeStart + b.getInt(off + 12);
        int strStart = off + hdrLen + b.getInt(off + 16);
        int strLen = b.getInt(off + 20);
        int at = typeStart;
        while (at + 12 <= typeEnd && at + 12 <= off + size) {
            int info = b.getInt(at + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            fields.add(new Field(at, 4, "btf name_off"));
            fields.add(new Field(at + 4, 4, "btf info"));
            fields.add(new Field(at + 4, 2, "btf vlen"));
            fields.add(new Field(at + 7, 1, "btf kind"));
            fields.add(new Field(at + 8, 4, "btf size/type"));
            int extra = switch (kind) {
                case 1, 14, 17 -> 4;        // INT, VAR, DECL_TAG
                case 3 -> 12;               // ARRAY
                case 4, 5, 15, 19 -> vlen * 12; // STRUCT, UNION, DATASEC, ENUM64
                case 6, 13 -> vlen * 8;     // ENUM, FUNC_PROTO
                default -> 0;
            };
            for (int e = at + 12; e + 4 <= at + 12 + extra && e + 4 <= off + size; e += 4) {
                fields.add(new Field(e, 4, "btf type word"));
            }
            at += 12 + extra;
        }
        for (int i = strStart; i < strStart + strLen && i < off + size; i += 7) {
            fields.add(new Field(i, 1, "btf string byte"));
        }
    }

    private static void extFields(byte[] bytes, int off, int size, List<Field> fields) {
        if (size < 32) {
            return;
        }
        ByteBuffer b = le(bytes);
        fields.add(new Field(off, 2, "ext magic"));
        fields.add(new Field(off + 2, 1, "ext version"));
        for (int f = 4; f + 4 <= Math.min(size, b.getInt(off + 4)); f += 4) {
            fields.add(new Field(off + f, 4, "ext header+" + f));
        }
        for (int e = off + 32; e + 4 <= off + size; e += 4) {
            fields.add(new Field(e, 4, "ext word"));
        }
    }

    // ---------------------------------------------------------------- mutation

    /** Returns a mutant of {@code seed}: 1 to 4 mutations, most of them on known fields. */
    byte[] mutate(Seed seed, List<Seed> others) {
        byte[] out = seed.bytes().clone();
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            out = mutateOnce(seed, out, others);
        }
        return out;
    }

    private byte[] mutateOnce(Seed seed, byte[] out, List<Seed> others) {
        if (out.length == 0) {
            return new byte[]{(byte) random.nextInt(256)};
        }
        int choice = random.nextInt(100);
        if (!seed.fields().isEmpty() && choice < 70) {
            Field f = seed.fields().get(random.nextInt(seed.fields().size()));
            if (f.offset() + f.width() > out.length) {
                return out;
            }
            long old = read(out, f);
            long value = switch (random.nextInt(8)) {
                case 0 -> old + 1;
                case 1 -> old - 1;
                case 2 -> old * 2;
                case 3 -> old ^ (1L << random.nextInt(f.width() * 8));
                case 4 -> f.what().startsWith("shdr") && f.what().endsWith("+4")
                        ? SECTION_TYPES[random.nextInt(SECTION_TYPES.length)] : random.nextLong();
                case 5 -> f.what().equals("r_type") ? random.nextInt(16) : old + random.nextInt(33) - 16;
                default -> INTERESTING[random.nextInt(INTERESTING.length)];
            };
            write(out, f, value);
            return out;
        }
        if (choice < 80) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
            return out;
        }
        if (choice < 85) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
            return out;
        }
        if (choice < 88) {
            return Arrays.copyOf(out, random.nextInt(out.length));
        }
        if (choice < 94 && !seed.ranges().isEmpty()) {
            // overwrite part of a section with bytes from another seed's section (splicing)
            Seed other = others.get(random.nextInt(others.size()));
            int[] to = seed.ranges().get(random.nextInt(seed.ranges().size()));
            if (other.ranges().isEmpty() || to[1] == 0) {
                return out;
            }
            int[] from = other.ranges().get(random.nextInt(other.ranges().size()));
            int len = Math.min(Math.min(to[1], from[1]), 1 + random.nextInt(64));
            if (len <= 0) {
                return out;
            }
            int dest = to[0] + random.nextInt(to[1] - len + 1);
            if (dest + len > out.length) {
                return out;
            }
            System.arraycopy(other.bytes(), from[0] + random.nextInt(from[1] - len + 1), out, dest, len);
            return out;
        }
        // duplicate or delete a chunk (shifts everything after it)
        int at = random.nextInt(out.length);
        int len = Math.min(out.length - at, 1 + random.nextInt(32));
        byte[] next = new byte[random.nextBoolean() ? out.length + len : out.length - len];
        if (next.length > out.length) {
            System.arraycopy(out, 0, next, 0, at + len);
            System.arraycopy(out, at, next, at + len, out.length - at);
        } else {
            System.arraycopy(out, 0, next, 0, at);
            System.arraycopy(out, at + len, next, at, out.length - at - len);
        }
        return next;
    }

    /** Mutates a verifier log by lines: delete, duplicate, swap, cut, and numbers made huge or negative. */
    String mutateLog(String text, List<Seed> others) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (lines.isEmpty()) {
                lines.add("");
            }
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(9)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, line);
                case 2 -> java.util.Collections.swap(lines, at, random.nextInt(lines.size()));
                case 3 -> lines.set(at, line.substring(0, random.nextInt(line.length() + 1)));
                case 4 -> lines.set(at, line.replaceFirst("\\d+", pick("99999999999", "-1", "2147483648", "0",
                        "4294967295", "00000000000000000000001")));
                case 5 -> {
                    Seed other = others.get(random.nextInt(others.size()));
                    List<String> otherLines = new String(other.bytes(), StandardCharsets.UTF_8).lines().toList();
                    if (!otherLines.isEmpty()) {
                        lines.add(at, otherLines.get(random.nextInt(otherLines.size())));
                    }
                }
                case 6 -> lines.add(at, pick("processed 99999999999 insns (limit 1000000)", "; @ x.c:99999999999",
                        "4294967296: (85) call bpf_map_lookup_elem#1", "-1: (95) exit", "; ", ";", "0: (zz) ?",
                        "verification time", "\u0000\uffff", "R0 invalid mem access 'map_value_or_null'"));
                case 7 -> {
                    char[] chars = line.toCharArray();
                    if (chars.length > 0) {
                        chars[random.nextInt(chars.length)] = (char) random.nextInt(0x3000);
                        lines.set(at, new String(chars));
                    }
                }
                default -> lines.subList(at, lines.size()).clear();
            }
        }
        return String.join(random.nextInt(10) == 0 ? "\r\n" : "\n", lines);
    }

    private String pick(String... options) {
        return options[random.nextInt(options.length)];
    }

    private static long read(byte[] b, Field f) {
        long v = 0;
        for (int i = f.width() - 1; i >= 0; i--) {
            v = v << 8 | (b[f.offset() + i] & 0xff);
        }
        return v;
    }

    private static void write(byte[] b, Field f, long value) {
        for (int i = 0; i < f.width(); i++) {
            b[f.offset() + i] = (byte) (value >>> (8 * i));
        }
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}

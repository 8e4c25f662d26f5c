package dev.bpfunit.btf;

import java.nio.ByteOrder;
import java.util.Optional;

/** Finds one section's bytes in a 64-bit ELF file: just enough to read {@code .BTF} out of a vmlinux or object. */
final class ElfSections {
    private static final int SHDR_SIZE = 64;

    private ElfSections() {
    }

    static boolean isElf(byte[] data) {
        return data.length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
    }

    /** The named section's contents, or empty when the ELF has no such section. */
    static Optional<byte[]> section(byte[] data, String name, String what) {
        if (!isElf(data) || data.length < 64) {
            throw new BtfException(what + ": not an ELF file, or shorter than an ELF header (" + data.length + " bytes)");
        }
        if (data[4] != 2) {
            throw new BtfException(what + ": only 64-bit ELF is supported (EI_CLASS " + data[4] + ")");
        }
        ByteOrder order = switch (data[5]) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new BtfException(what + ": unknown ELF data encoding " + data[5]);
        };
        ByteReader r = new ByteReader(data, order, what);
        long shoff = u64(r, 0x28, "e_shoff", what);
        int shentsize = r.u16(0x3a, "e_shentsize");
        int shnum = r.u16(0x3c, "e_shnum");
        int shstrndx = r.u16(0x3e, "e_shstrndx");
        if (shnum == 0) {
            return Optional.empty();
        }
        if (shentsize < SHDR_SIZE) {
            throw new BtfException(what + ": e_shentsize " + shentsize + " < " + SHDR_SIZE);
        }
        if (shstrndx >= shnum) {
            throw new BtfException(what + ": e_shstrndx " + shstrndx + " >= e_shnum " + shnum);
        }
        r.need(shoff, (long) shnum * shentsize, "section headers");
        long strHdr = shoff + (long) shstrndx * shentsize;
        long strOff = u64(r, strHdr + 24, "sh_offset", what);
        long strSize = u64(r, strHdr + 32, "sh_size", what);
        r.need(strOff, strSize, "section name table");
        for (int i = 0; i < shnum; i++) {
            long hdr = shoff + (long) i * shentsize;
            int nameOff = r.u32(hdr, "sh_name");
            String secName = ByteReader.cString(data, (int) strOff, (int) (strOff + strSize), nameOff,
                    what + ": section " + i + " name");
            if (secName.equals(name)) {
                long off = u64(r, hdr + 24, "sh_offset", what);
                long size = u64(r, hdr + 32, "sh_size", what);
                r.need(off, size, "section " + name);
                byte[] out = new byte[(int) size];
                System.arraycopy(data, (int) off, out, 0, (int) size);
                return Optional.of(out);
            }
        }
        return Optional.empty();
    }

    private static long u64(ByteReader r, long offset, String field, String what) {
        long lo = r.u32(offset, field) & 0xffffffffL;
        long hi = r.u32(offset + 4, field) & 0xffffffffL;
        long v = r.order() == ByteOrder.LITTLE_ENDIAN ? hi << 32 | lo : lo << 32 | hi;
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new BtfException(what + ": ELF " + field + " " + Long.toUnsignedString(v) + " is out of range");
        }
        return v;
    }
}

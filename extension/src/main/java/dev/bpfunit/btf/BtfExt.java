package dev.bpfunit.btf;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .BTF.ext} section of a BPF object: func_info, line_info and CO-RE relocation records per ELF section.
 *
 * <p>Instruction offsets are converted from the ELF's bytes to 8-byte instruction slots, as the kernel expects
 * them; names and source lines are resolved through the object's {@link Btf}.
 */
public final class BtfExt {
    /** {@code BTF_MAGIC}, shared with .BTF. */
    public static final int MAGIC = Btf.MAGIC;
    private static final int MIN_HEADER = 24;
    private static final int INSN_SIZE = 8;
    private static final int FUNC_INFO_SIZE = 8;
    private static final int LINE_INFO_SIZE = 16;
    private static final int CORE_RELO_SIZE = 16;

    private final Map<String, List<FuncInfo>> funcInfos;
    private final Map<String, List<LineInfo>> lineInfos;
    private final Map<String, List<CoreRelo>> coreRelos;

    private BtfExt(Map<String, List<FuncInfo>> funcInfos, Map<String, List<LineInfo>> lineInfos,
            Map<String, List<CoreRelo>> coreRelos) {
        this.funcInfos = funcInfos;
        this.lineInfos = lineInfos;
        this.coreRelos = coreRelos;
    }

    /** Parses a {@code .BTF.ext} section; strings are looked up in {@code btf} (the same object's .BTF). */
    public static BtfExt parse(byte[] data, Btf btf) {
        String what = "BTF.ext";
        if (btf == null) {
            throw new BtfException(what + ": the object's BTF is needed to read its strings, but btf is null");
        }
        ByteReader.Header header = ByteReader.header(data == null ? null : java.nio.ByteBuffer.wrap(data), MAGIC, what,
                MIN_HEADER);
        ByteReader r = header.reader();
        int hdrLen = header.length();
        Parser p = new Parser(r, btf, hdrLen);
        Map<String, List<FuncInfo>> funcs = p.section(8, "func_info", FUNC_INFO_SIZE, (at, sec) ->
                new FuncInfo(p.insn(at, sec), p.typeId(r.u32(at + 4, "func_info type_id"), Func.class)));
        Map<String, List<LineInfo>> lines = p.section(16, "line_info", LINE_INFO_SIZE, (at, sec) -> {
            int file = r.u32(at + 4, "line_info file_name_off");
            int line = r.u32(at + 8, "line_info line_off");
            int lineCol = r.u32(at + 12, "line_info line_col");
            return new LineInfo(p.insn(at, sec), file, line, lineCol >>> 10, lineCol & 0x3ff,
                    p.string(file, "line_info file name"), p.string(line, "line_info line"));
        });
        Map<String, List<CoreRelo>> relos = hdrLen >= 32
                ? p.section(24, "core_relo", CORE_RELO_SIZE, (at, sec) -> new CoreRelo(p.insn(at, sec),
                        p.typeId(r.u32(at + 4, "core_relo type_id"), BtfType.class),
                        p.string(r.u32(at + 8, "core_relo access_str_off"), "core_relo access string"),
                        CoreReloKind.of(r.u32(at + 12, "core_relo kind"))))
                : Map.of();
        return new BtfExt(funcs, lines, relos);
    }

    private interface RecordReader<T> {
        T read(int offset, String section);
    }

    /** Reads the three info sections, each a record size followed by per-ELF-section blocks of records. */
    private static final class Parser {
        private final ByteReader r;
        private final Btf btf;
        private final int hdrLen;
        /** The record being read, for messages: built only when one is thrown ({@link #where()}). */
        private String whereName;
        private int whereRecord;
        private String whereSection;
        /** The strings read so far, by offset: records share file names and often lines. */
        private final Map<Integer, String> strings = new HashMap<>();

        Parser(ByteReader r, Btf btf, int hdrLen) {
            this.r = r;
            this.btf = btf;
            this.hdrLen = hdrLen;
        }

        <T> Map<String, List<T>> section(int headerField, String name, int minRecordSize, RecordReader<T> reader) {
            int off = r.u32NonNegative(headerField, name + "_off");
            int len = r.u32NonNegative(headerField + 4, name + "_len");
            if (len == 0) {
                return Map.of();
            }
            long start = (long) hdrLen + off;
            long end = start + len;
            r.need(start, len, name + " section");
            int recordSize = r.u32NonNegative(start, name + " record size");
            if (recordSize < minRecordSize || recordSize % 4 != 0) {
                throw new BtfException("BTF.ext: " + name + " record size " + recordSize + " must be a multiple of 4 and at least "
                        + minRecordSize);
            }
            Map<String, List<T>> result = new LinkedHashMap<>();
            long pos = start + 4;
            while (pos < end) {
                if (end - pos < 8) {
                    throw new BtfException("BTF.ext: " + name + ": " + (end - pos) + " stray bytes at offset " + pos
                            + " where a section header (8 bytes) should be");
                }
                String secName = string(r.u32(pos, name + " sec_name_off"), name + " section name");
                int num = r.u32NonNegative(pos + 4, name + " num_info");
                if (num == 0) {
                    throw new BtfException("BTF.ext: " + name + " for section '" + secName + "' has no records");
                }
                pos += 8;
                if ((long) num * recordSize > end - pos) {
                    throw new BtfException("BTF.ext: " + name + " for section '" + secName + "': " + num + " records of "
                            + recordSize + " bytes need " + (long) num * recordSize + " bytes, only " + (end - pos)
                            + " are left in the " + name + " section (truncated?)");
                }
                List<T> list = result.computeIfAbsent(secName, k -> new ArrayList<>());
                for (int i = 0; i < num; i++, pos += recordSize) {
                    whereName = name;
                    whereRecord = i;
                    whereSection = secName;
                    list.add(reader.read((int) pos, secName));
                }
            }
            result.replaceAll((k, v) -> List.copyOf(v));
            return Collections.unmodifiableMap(result);
        }

        int insn(int at, String section) {
            int bytes = r.u32NonNegative(at, "insn_off");
            if (bytes % INSN_SIZE != 0) {
                throw new BtfException("BTF.ext: " + where() + ": instruction byte offset " + bytes
                        + " is not a multiple of " + INSN_SIZE);
            }
            return bytes / INSN_SIZE;
        }

        int typeId(int id, Class<? extends BtfType> kind) {
            if (id < 0 || id >= btf.typeCount()) {
                throw new BtfException("BTF.ext: " + where() + ": type id " + Integer.toUnsignedString(id)
                        + " is not in the BTF (ids 0.." + (btf.typeCount() - 1) + ")");
            }
            if (!kind.isInstance(btf.type(id))) {
                throw new BtfException("BTF.ext: " + where() + ": type [" + id + "] is a " + btf.type(id).kind()
                        + ", not a " + kind.getSimpleName().toUpperCase(java.util.Locale.ROOT));
            }
            return id;
        }

        /** The last record read: {@code "line_info record 3 of section 'xdp'"}, or "" before the first. */
        private String where() {
            return whereName == null ? "" : whereName + " record " + whereRecord + " of section '" + whereSection + "'";
        }

        String string(int offset, String field) {
            String s = strings.get(offset);
            if (s != null) {
                return s;
            }
            try {
                s = btf.string(offset);
            } catch (BtfException e) {
                String where = where();
                throw new BtfException("BTF.ext: " + (where.isEmpty() ? field : where + ": " + field) + ": "
                        + e.getMessage(), e);
            }
            strings.put(offset, s);
            return s;
        }
    }

    /** func_info records by ELF section name (e.g. {@code "xdp"}, {@code ".text"}), in file order. */
    public Map<String, List<FuncInfo>> funcInfos() {
        return funcInfos;
    }

    /** line_info records by ELF section name, in file order. */
    public Map<String, List<LineInfo>> lineInfos() {
        return lineInfos;
    }

    /** CO-RE relocation records by ELF section name, in file order. */
    public Map<String, List<CoreRelo>> coreRelos() {
        return coreRelos;
    }

    /** The kernel's {@code bpf_func_info} records (8 bytes each, native byte order) for {@code BPF_PROG_LOAD}. */
    public static byte[] encodeFuncInfos(List<FuncInfo> infos) {
        Btf.Out out = new Btf.Out(ByteOrder.nativeOrder());
        for (FuncInfo f : infos) {
            out.u32(f.insnOffset());
            out.u32(f.typeId());
        }
        return out.toByteArray();
    }

    /** The kernel's {@code bpf_line_info} records (16 bytes each, native byte order) for {@code BPF_PROG_LOAD}. */
    public static byte[] encodeLineInfos(List<LineInfo> infos) {
        Btf.Out out = new Btf.Out(ByteOrder.nativeOrder());
        for (LineInfo l : infos) {
            if (l.line() < 0 || l.line() >= 1 << 22 || l.column() < 0 || l.column() >= 1 << 10) {
                throw new BtfException("line info " + l + ": line must be < 2^22 and column < 2^10");
            }
            out.u32(l.insnOffset());
            out.u32(l.fileNameOffset());
            out.u32(l.lineOffset());
            out.u32(l.line() << 10 | l.column());
        }
        return out.toByteArray();
    }

    /** The size of one kernel {@code bpf_func_info} record, for {@code func_info_rec_size}. */
    public static int funcInfoRecordSize() {
        return FUNC_INFO_SIZE;
    }

    /** The size of one kernel {@code bpf_line_info} record, for {@code line_info_rec_size}. */
    public static int lineInfoRecordSize() {
        return LINE_INFO_SIZE;
    }

    @Override
    public String toString() {
        return "BtfExt[func_info " + funcInfos.keySet() + ", line_info " + lineInfos.keySet() + ", core_relo "
                + coreRelos.keySet() + "]";
    }
}

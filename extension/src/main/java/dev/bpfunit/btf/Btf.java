package dev.bpfunit.btf;

import dev.bpfunit.cache.UserCache;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfFormatException;
import dev.bpfunit.rawelf.ElfSection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Parsed BTF (BPF Type Format) type information: an immutable, id-indexed list of types plus its string section.
 *
 * <p>Type ids run from 0 ({@link Void}) to {@link #typeCount()}{@code - 1}. A split BTF (a kernel module's)
 * continues the ids and string offsets of its base. The original string section is kept byte for byte, so
 * that {@link #encode()} leaves every string offset (including those .BTF.ext refers to) valid.
 */
public final class Btf {
    /** {@code BTF_MAGIC}. */
    public static final int MAGIC = 0xeB9F;
    private static final int HEADER_LEN = 24;
    private static final int MAX_CHAIN = 64;
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static volatile Btf vmlinux;

    private final Btf base;
    private final int firstId;
    /** This BTF's own types: a {@link LazyTypes} over the parsed bytes, or a list of records (a changed copy). */
    private final List<BtfType> own;
    /** The string section: a view of the parsed bytes (an array, or a kept file mapped into memory). */
    private final ByteBuffer strings;
    private final int firstStringOffset;
    /** Each name's first string offset, for encoding; shared with the copies {@link #replaceTypes} makes. */
    private final NameOffsets nameOffsets;
    private final List<BtfType> all;
    private volatile NameIndex names;
    private volatile Map<String, Integer> stringIndex;
    /** {@link #encode(ByteOrder)} in this machine's order, once made. */
    private volatile byte[] encodedNative;

    private Btf(Btf base, List<BtfType> own, ByteBuffer strings, NameOffsets nameOffsets) {
        this(base, own, strings, nameOffsets, !(own instanceof LazyTypes));
    }

    /**
     * With {@code validate}, checks every type's references; a copy made from a checked BTF checks only the types
     * it replaced or added (ids only grow, so the others stay valid).
     */
    private Btf(Btf base, List<BtfType> own, ByteBuffer strings, NameOffsets nameOffsets, boolean validate) {
        this.base = base;
        this.firstId = base == null ? 0 : base.typeCount();
        this.own = own instanceof LazyTypes ? own : List.copyOf(own);
        this.strings = strings;
        this.firstStringOffset = base == null ? 0 : base.firstStringOffset + base.strings.capacity();
        this.nameOffsets = nameOffsets;
        this.all = new AbstractList<>() {
            @Override
            public BtfType get(int index) {
                return type(index);
            }

            @Override
            public int size() {
                return typeCount();
            }
        };
        if (validate) {
            validateReferences();
        }
    }

    // ---------------------------------------------------------------- parsing

    /** Parses a {@code .BTF} section or a raw BTF file (such as {@code /sys/kernel/btf/vmlinux}). */
    public static Btf parse(byte[] data) {
        return parse(data, null);
    }

    /**
     * Parses split BTF (a kernel module's, {@code /sys/kernel/btf/<module>}) on top of {@code base}: its type ids
     * and string offsets continue after the base's. With a null base this is {@link #parse(byte[])}.
     */
    public static Btf parse(byte[] data, Btf base) {
        return parse(data, base, false);
    }

    /**
     * Parses BTF as {@link #parse(byte[], Btf)} does, but decodes each type only when it is first asked for, and
     * finds types by name through an index of the raw names: for kernel BTF (vmlinux has 100 000 types and more),
     * of which a load needs a few hundred. The header and every type's extent are checked here; a type whose
     * contents are malformed (a name offset past the strings, a reference past the last id) throws its
     * {@link BtfException} when it is first used.
     */
    public static Btf parseLazily(byte[] data, Btf base) {
        return parse(data, base, true);
    }

    private static Btf parse(byte[] data, Btf base, boolean lazy) {
        return parse(data == null ? null : ByteBuffer.wrap(data), base, lazy);
    }

    private static Btf parse(ByteBuffer data, Btf base, boolean lazy) {
        TypeParser parser = parser(data, base);
        Optional<Path> cacheDir = lazy && base == null && data.capacity() >= BtfIndexCache.MIN_BYTES
                ? BtfIndexCache.directory() : Optional.empty();
        if (cacheDir.isEmpty()) {
            return build(parser, base, lazy);
        }
        int length = data.capacity();
        int checksum = BtfIndexCache.checksum(data);
        Path file = BtfIndexCache.file(cacheDir.get(), length, checksum);
        return BtfIndexCache.read(file, length, checksum).flatMap(kept -> fromIndex(parser, kept)).orElseGet(() -> {
            if (!UserCache.writable(cacheDir.get())) {
                return build(parser, base, true);    // nothing kept: the index is built when first asked
            }
            Btf btf = buildIndexed(parser);
            BtfIndexCache.write(file, length, checksum, ((RawNameIndex) btf.names).export(), null);
            return btf;
        });
    }

    /** Checks a blob's header and sections; the parser of its types, over its string section. */
    private static TypeParser parser(ByteBuffer data, Btf base) {
        String what = base == null ? "BTF" : "split BTF";
        ByteReader.Header header = ByteReader.header(data, MAGIC, what, HEADER_LEN);
        ByteReader r = header.reader();
        int hdrLen = header.length();
        int typeOff = r.u32NonNegative(8, "header type_off");
        int typeLen = r.u32NonNegative(12, "header type_len");
        int strOff = r.u32NonNegative(16, "header str_off");
        int strLen = r.u32NonNegative(20, "header str_len");
        long dataLen = (long) data.capacity() - hdrLen;
        checkSection(what, "type", typeOff, typeLen, dataLen);
        checkSection(what, "string", strOff, strLen, dataLen);
        if (typeOff % 4 != 0 || typeLen % 4 != 0) {
            throw new BtfException(what + ": type section (type_off " + typeOff + ", type_len " + typeLen
                    + ") is not 4-byte aligned");
        }
        if (typeLen > 0 && strLen > 0 && typeOff < (long) strOff + strLen && strOff < (long) typeOff + typeLen) {
            throw new BtfException(what + ": type section [" + typeOff + ", +" + typeLen + ") overlaps string section ["
                    + strOff + ", +" + strLen + ")");
        }
        int strStart = hdrLen + strOff;
        if (base == null && (strLen == 0 || data.get(strStart) != 0)) {
            throw new BtfException(what + ": the string section must start with an empty string (NUL byte)"
                    + (strLen == 0 ? ", but it is empty" : ""));
        }
        if (strLen > 0 && data.get(strStart + strLen - 1) != 0) {
            throw new BtfException(what + ": the string section (" + strLen + " bytes) does not end with a NUL byte");
        }
        return new TypeParser(r, base, data.slice(strStart, strLen), hdrLen + typeOff, typeLen);
    }

    private static Btf build(TypeParser parser, Btf base, boolean lazy) {
        LazyTypes types = parser.scan(!lazy);
        Btf btf = new Btf(base, types, parser.strings, new NameOffsets(parser));
        parser.btf = btf;
        if (!lazy) {
            btf.validateReferences();
        }
        return btf;
    }

    /** A base BTF decoded lazily, with its raw-name index built now (to keep on disk). */
    private static Btf buildIndexed(TypeParser parser) {
        Btf btf = build(parser, null, true);
        btf.names = btf.new RawNameIndex((LazyTypes) btf.own);
        return btf;
    }

    /** A base BTF decoded lazily over a kept index of the same bytes; empty when the index does not fit them. */
    private static Optional<Btf> fromIndex(TypeParser parser, BtfIndexCache.Index kept) {
        if (!parser.fits(kept)) {
            return Optional.empty();
        }
        IntBuffer offsets = kept.offsets();
        Btf btf = new Btf(null, new LazyTypes(parser, offsets, new BtfType[offsets.capacity()]), parser.strings,
                new NameOffsets(parser));
        parser.btf = btf;
        btf.names = btf.new RawNameIndex((LazyTypes) btf.own, kept);
        return Optional.of(btf);
    }

    private static void checkSection(String what, String name, long off, long len, long dataLen) {
        if (off + len > dataLen) {
            throw new BtfException(what + ": " + name + " section [" + off + ", +" + len + ") after the header ends past"
                    + " the data's end (" + dataLen + " bytes after the header; truncated?)");
        }
    }

    /**
     * The types of a parsed blob, each decoded from its bytes on first use (or all of them at parse time) and kept.
     * Records are immutable with final fields, so a type decoded by two threads at once is merely decoded twice.
     */
    private static final class LazyTypes extends AbstractList<BtfType> {
        private final TypeParser parser;
        /** Where each type's {@code btf_type} starts in the data; -1 for void (type 0 of a base BTF). */
        private final IntBuffer offsets;
        private final BtfType[] decoded;

        LazyTypes(TypeParser parser, IntBuffer offsets, BtfType[] decoded) {
            this.parser = parser;
            this.offsets = offsets;
            this.decoded = decoded;
        }

        @Override
        public BtfType get(int index) {
            BtfType t = decoded[index];
            if (t == null) {
                t = parser.decode(index, offsets.get(index));
                decoded[index] = t;
            }
            return t;
        }

        @Override
        public int size() {
            return offsets.capacity();
        }
    }

    /** Parses the types of one BTF blob. */
    private static final class TypeParser {
        private final ByteReader r;
        private final Btf base;
        private final ByteBuffer strings;
        private final int start;
        private final int end;
        private final int firstStringOffset;
        private final int firstId;
        /** The Btf being parsed, for checking a lazily decoded type's references. */
        private Btf btf;
        private int whereId;
        private int whereOffset;
        private BtfKind whereKind;

        TypeParser(ByteReader r, Btf base, ByteBuffer strings, int start, int len) {
            this.r = r;
            this.base = base;
            this.strings = strings;
            this.start = start;
            this.end = start + len;
            this.firstStringOffset = base == null ? 0 : base.firstStringOffset + base.strings.capacity();
            this.firstId = base == null ? 0 : base.typeCount();
        }

        /**
         * Walks the type section, checking each type's kind and extent; with {@code decode}, also decodes each
         * type as it goes (a malformed type then fails here, in order, as a whole parse does).
         */
        synchronized LazyTypes scan(boolean decode) {
            int[] offsets = new int[Math.max(16, (end - start) / 16 + 1)];
            List<BtfType> types = decode ? new ArrayList<>() : null;
            int count = 0;
            if (base == null) {
                offsets[count++] = -1;
                if (decode) {
                    types.add(new Void());
                }
            }
            int pos = start;
            while (pos < end) {
                int id = firstId + count;
                whereId = id;
                whereOffset = pos - start;
                whereKind = null;
                need(pos, 12, "btf_type");
                int header = pos;
                int nameOff = r.u32(pos, "name_off");
                int info = r.u32(pos + 4, "info");
                int sizeOrType = r.u32(pos + 8, "size/type");
                BtfKind kind = kind(info);
                int vlen = info & 0xffff;
                boolean kflag = info < 0;
                pos += 12;
                try {
                    String name = decode ? name(nameOff) : null;
                    int extra = extraSize(kind, vlen);
                    if (!fits(pos, extra)) {
                        throw tooShort(pos, extra, kind + " data (vlen " + vlen + ")");
                    }
                    if (decode) {
                        types.add(read(kind, name, vlen, kflag, sizeOrType, pos));
                    }
                    pos += extra;
                } catch (BtfException e) {
                    throw wrapped(e);
                }
                if (count == offsets.length) {
                    offsets = java.util.Arrays.copyOf(offsets, count * 2);
                }
                offsets[count++] = header;
            }
            offsets = java.util.Arrays.copyOf(offsets, count);
            BtfType[] decoded = decode ? types.toArray(new BtfType[0]) : new BtfType[count];
            return new LazyTypes(this, IntBuffer.wrap(offsets), decoded);
        }

        /**
         * Whether a kept index fits this blob: void first, the first type at the type section's start, the last
         * inside it. Only the ends are checked: the file's CRC32C already matched, and its writer wrote the index
         * of a whole scan of the same bytes (a walk of 100 000 offsets would cost a cold JVM 10 ms); a type is
         * still checked against the section when it is decoded.
         */
        boolean fits(BtfIndexCache.Index index) {
            IntBuffer offsets = index.offsets();
            int n = offsets.capacity();
            return offsets.get(0) == -1 && index.next().capacity() == n && index.nameStart().capacity() == n
                    && (n == 1 ? start == end : offsets.get(1) == start && offsets.get(n - 1) >= start
                            && offsets.get(n - 1) <= end - 12);
        }

        /** Decodes own type {@code index} from its {@code btf_type} at {@code pos}, and checks its references. */
        synchronized BtfType decode(int index, int pos) {
            if (pos < 0) {
                return new Void();
            }
            whereId = firstId + index;
            whereOffset = pos - start;
            whereKind = null;
            if (pos < start) {
                throw new BtfException("BTF: " + where() + ": the record starts before the type section");
            }
            need(pos, 12, "btf_type");
            int nameOff = r.u32(pos, "name_off");
            int info = r.u32(pos + 4, "info");
            int sizeOrType = r.u32(pos + 8, "size/type");
            BtfKind kind = kind(info);
            need(pos + 12, extraSize(kind, info & 0xffff), kind + " data (vlen " + (info & 0xffff) + ")");
            BtfType t;
            try {
                t = read(kind, name(nameOff), info & 0xffff, info < 0, sizeOrType, pos + 12);
            } catch (BtfException e) {
                throw wrapped(e);
            }
            btf.checkReferences(t, whereId);
            return t;
        }

        private BtfKind kind(int info) {
            int kindNumber = (info >>> 24) & 0x1f;
            if (kindNumber == 0 || kindNumber > BtfKind.ENUM64.number()) {
                throw new BtfException("BTF: " + where() + ": unknown kind " + kindNumber
                        + " (this parser knows 1.." + BtfKind.ENUM64.number() + ")");
            }
            BtfKind kind = BtfKind.of(kindNumber);
            whereKind = kind;
            return kind;
        }

        private BtfException wrapped(BtfException e) {
            if (e.getMessage().startsWith("BTF: ")) {
                return e;
            }
            return new BtfException("BTF: " + where() + ": " + e.getMessage(), e);
        }

        /**
         * Calls {@code action} with every name offset the types use, in the order a whole parse reads them: each
         * type's name, then its members', enumerators' or parameters' names.
         */
        void forEachNameOffset(LazyTypes types, java.util.function.IntConsumer action) {
            for (int t = 0; t < types.offsets.capacity(); t++) {
                int pos = types.offsets.get(t);
                if (pos < 0) {
                    continue;
                }
                action.accept(r.u32(pos, "name_off"));
                int info = r.u32(pos + 4, "info");
                int vlen = info & 0xffff;
                int stride = switch (BtfKind.of((info >>> 24) & 0x1f)) {
                    case STRUCT, UNION, ENUM64 -> 12;
                    case ENUM, FUNC_PROTO -> 8;
                    default -> 0;
                };
                for (int i = 0, p = pos + 12; stride > 0 && i < vlen; i++, p += stride) {
                    action.accept(r.u32(p, "name_off"));
                }
            }
        }

        /** Whether the kind of the {@code btf_type} at {@code pos} keeps its name in its record. */
        boolean hasNamedKind(int pos) {
            return switch (BtfKind.of((r.u32(pos + 4, "info") >>> 24) & 0x1f)) {
                case INT, STRUCT, UNION, ENUM, ENUM64, FWD, TYPEDEF, FUNC, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG ->
                        true;
                default -> false;
            };
        }

        private String where() {
            return "type [" + whereId + "]" + (whereKind == null ? "" : " " + whereKind) + " at offset " + whereOffset
                    + " of the type section";
        }

        private void need(int pos, int size, String what) {
            if (!fits(pos, size)) {
                throw tooShort(pos, size, what);
            }
        }

        /** Whether {@code size} bytes at {@code pos} lie inside the type section. */
        private boolean fits(int pos, int size) {
            return (long) pos + size <= end;
        }

        private BtfException tooShort(int pos, int size, String what) {
            return new BtfException("BTF: " + where() + ": " + what + " needs " + size + " bytes, but only "
                    + (end - pos) + " are left in the type section (truncated?)");
        }

        private static int extraSize(BtfKind kind, int vlen) {
            return switch (kind) {
                case INT, VAR, DECL_TAG -> 4;
                case ARRAY -> 12;
                case STRUCT, UNION, DATASEC, ENUM64 -> 12 * vlen;
                case ENUM, FUNC_PROTO -> 8 * vlen;
                default -> 0;
            };
        }

        private String name(int offset) {
            if (offset == 0) {
                return "";
            }
            return lookup(offset);
        }

        private String lookup(int offset) {
            if (offset >= 0 && offset < firstStringOffset) {
                return base.string(offset);
            }
            return ByteReader.cString(strings, offset - firstStringOffset, "name");
        }

        private int size(int v, String field) {
            if (v < 0) {
                throw tooLarge(v, field);
            }
            return v;
        }

        private BtfException tooLarge(int v, String field) {
            return new BtfException(field + " " + Integer.toUnsignedString(v) + " is larger than supported (2^31-1)");
        }

        private BtfType read(BtfKind kind, String name, int vlen, boolean kflag, int sizeOrType, int p) {
            return switch (kind) {
                case INT -> {
                    int v = r.u32(p, "int data");
                    yield new Int(name, size(sizeOrType, "size"), (v >>> 24) & 0x0f, (v >>> 16) & 0xff, v & 0xff);
                }
                case PTR -> new Ptr(sizeOrType);
                case ARRAY -> new Array(r.u32(p, "array type"), r.u32(p + 4, "array index_type"),
                        size(r.u32(p + 8, "array nelems"), "nelems"));
                case STRUCT -> new Struct(name, size(sizeOrType, "size"), members(vlen, kflag, p));
                case UNION -> new Union(name, size(sizeOrType, "size"), members(vlen, kflag, p));
                case ENUM -> {
                    List<EnumValue> values = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += 8) {
                        int v = r.u32(p + 4, "enum value");
                        values.add(new EnumValue(name(r.u32(p, "enum name")), kflag ? v : v & 0xffffffffL));
                    }
                    yield new Enum(name, size(sizeOrType, "size"), kflag, values);
                }
                case ENUM64 -> {
                    List<EnumValue> values = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += 12) {
                        long lo = r.u32(p + 4, "enum64 val_lo32") & 0xffffffffL;
                        long hi = r.u32(p + 8, "enum64 val_hi32") & 0xffffffffL;
                        values.add(new EnumValue(name(r.u32(p, "enum64 name")), hi << 32 | lo));
                    }
                    yield new Enum64(name, size(sizeOrType, "size"), kflag, values);
                }
                case FWD -> new Fwd(name, kflag);
                case TYPEDEF -> new Typedef(name, sizeOrType);
                case VOLATILE -> new Volatile(sizeOrType);
                case CONST -> new Const(sizeOrType);
                case RESTRICT -> new Restrict(sizeOrType);
                case FUNC -> new Func(name, sizeOrType, BtfLinkage.of(vlen, "FUNC", name));
                case FUNC_PROTO -> {
                    List<Param> params = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += 8) {
                        params.add(new Param(name(r.u32(p, "param name")), r.u32(p + 4, "param type")));
                    }
                    yield new FuncProto(sizeOrType, params);
                }
                case VAR -> new Var(name, sizeOrType, BtfLinkage.of(r.u32(p, "var linkage"), "VAR", name));
                case DATASEC -> {
                    List<VarSecinfo> vars = new ArrayList<>(vlen);
                    for (int i = 0; i < vlen; i++, p += 12) {
                        vars.add(new VarSecinfo(r.u32(p, "secinfo type"), size(r.u32(p + 4, "secinfo offset"), "offset"),
                                size(r.u32(p + 8, "secinfo size"), "size")));
                    }
                    yield new Datasec(name, size(sizeOrType, "size"), vars);
                }
                case FLOAT -> new Float(name, size(sizeOrType, "size"));
                case DECL_TAG -> new DeclTag(name, sizeOrType, r.u32(p, "component_idx"), kflag);
                case TYPE_TAG -> new TypeTag(name, sizeOrType, kflag);
                case VOID -> throw new IllegalStateException("kind 0 is rejected before");
            };
        }

        private List<Member> members(int vlen, boolean kflag, int p) {
            List<Member> members = new ArrayList<>(vlen);
            for (int i = 0; i < vlen; i++, p += 12) {
                String name = name(r.u32(p, "member name"));
                int type = r.u32(p + 4, "member type");
                int offset = r.u32(p + 8, "member offset");
                if (!kflag && offset < 0) {
                    throw tooLarge(offset, "member '" + name + "' bit offset");
                }
                members.add(kflag ? new Member(name, type, offset & 0xffffff, offset >>> 24)
                        : new Member(name, type, offset, 0));
            }
            return members;
        }
    }

    private void validateReferences() {
        for (int i = 0; i < own.size(); i++) {
            checkReferences(own.get(i), firstId + i);
        }
    }

    /** Throws if type {@code id}, {@code t}, refers to an id this BTF does not have. */
    private void checkReferences(BtfType t, int id) {
        int count = typeCount();
        if (allBelow(t, count)) {
            return;
        }
        for (Ref ref : references(t)) {
            if (ref.id < 0 || ref.id >= count) {
                throw new BtfException("BTF: type [" + id + "] " + t.kind() + (t.name().isEmpty() ? "" : " '" + t.name() + "'")
                        + ": " + ref.what + " refers to type id " + Integer.toUnsignedString(ref.id)
                        + ", but the BTF has only ids 0.." + (count - 1));
            }
        }
    }

    private record Ref(String what, int id) {
    }

    /** Whether every id {@code t} refers to is in [0, count): the fast check; {@link #references} explains failures. */
    private static boolean allBelow(BtfType t, int count) {
        if (t instanceof CompositeType c) {
            for (Member m : c.members()) {
                if (m.type() < 0 || m.type() >= count) {
                    return false;
                }
            }
            return true;
        } else if (t instanceof FuncProto fp) {
            for (Param p : fp.params()) {
                if (p.type() < 0 || p.type() >= count) {
                    return false;
                }
            }
            return fp.returnType() >= 0 && fp.returnType() < count;
        } else if (t instanceof Datasec d) {
            for (VarSecinfo v : d.vars()) {
                if (v.type() < 0 || v.type() >= count) {
                    return false;
                }
            }
            return true;
        }
        if (t instanceof Array a) {
            return a.type() >= 0 && a.type() < count && a.indexType() >= 0 && a.indexType() < count;
        }
        int ref;
        if (t instanceof Ptr p) {
            ref = p.type();
        } else if (t instanceof Typedef td) {
            ref = td.type();
        } else if (t instanceof Volatile v) {
            ref = v.type();
        } else if (t instanceof Const c) {
            ref = c.type();
        } else if (t instanceof Restrict r) {
            ref = r.type();
        } else if (t instanceof Func f) {
            ref = f.type();
        } else if (t instanceof Var v) {
            ref = v.type();
        } else if (t instanceof DeclTag dt) {
            ref = dt.type();
        } else if (t instanceof TypeTag tt) {
            ref = tt.type();
        } else {
            return references(t).isEmpty();
        }
        return ref >= 0 && ref < count;
    }

    private static List<Ref> references(BtfType t) {
        if (t instanceof Ptr p) {
            return List.of(new Ref("pointee", p.type()));
        } else if (t instanceof Array a) {
            return List.of(new Ref("element type", a.type()), new Ref("index type", a.indexType()));
        } else if (t instanceof CompositeType c) {
            return c.members().stream().map(m -> new Ref("member '" + m.name() + "'", m.type())).toList();
        } else if (t instanceof Typedef td) {
            return List.of(new Ref("target", td.type()));
        } else if (t instanceof Volatile v) {
            return List.of(new Ref("target", v.type()));
        } else if (t instanceof Const c) {
            return List.of(new Ref("target", c.type()));
        } else if (t instanceof Restrict r) {
            return List.of(new Ref("target", r.type()));
        } else if (t instanceof Func f) {
            return List.of(new Ref("prototype", f.type()));
        } else if (t instanceof FuncProto fp) {
            List<Ref> refs = new ArrayList<>();
            refs.add(new Ref("return type", fp.returnType()));
            fp.params().forEach(p -> refs.add(new Ref("parameter '" + p.name() + "'", p.type())));
            return refs;
        } else if (t instanceof Var v) {
            return List.of(new Ref("type", v.type()));
        } else if (t instanceof Datasec d) {
            return d.vars().stream().map(v -> new Ref("variable at offset " + v.offset(), v.type())).toList();
        } else if (t instanceof DeclTag dt) {
            return List.of(new Ref("tagged declaration", dt.type()));
        } else if (t instanceof TypeTag tt) {
            return List.of(new Ref("tagged type", tt.type()));
        }
        return List.of();
    }

    /**
     * The running kernel's BTF, {@code /sys/kernel/btf/vmlinux}, read once and cached; its types are decoded when
     * first used ({@link #parseLazily}).
     */
    public static Btf vmlinux() {
        Btf b = vmlinux;
        if (b == null) {
            synchronized (Btf.class) {
                b = vmlinux;
                if (b == null) {
                    if (!Files.exists(VMLINUX)) {
                        throw new BtfException(VMLINUX + " does not exist: this kernel was built without"
                                + " CONFIG_DEBUG_INFO_BTF (kernel 5.4 or later is needed for it)");
                    }
                    b = readRunningKernel();
                    vmlinux = b;
                }
            }
        }
        return b;
    }

    /**
     * The running kernel's BTF. With the cache on ({@link BtfIndexCache}) and the kernel's build id known: from the
     * kernel's kept file (its index and a copy of its BTF, mapped into memory) when that file is valid and its copy's
     * first and last pages are the kernel's; else read from {@code /sys/kernel/btf/vmlinux} and kept for the next JVM.
     */
    static Btf readRunningKernel() {
        Optional<Path> dir = BtfIndexCache.directory();
        Optional<String> buildId = dir.isPresent() ? BtfIndexCache.runningBuildId() : Optional.empty();
        long size;
        try {
            size = Files.size(VMLINUX);
        } catch (IOException e) {
            throw new BtfException("cannot read BTF file " + VMLINUX + ": " + e.getMessage(), e);
        }
        if (buildId.isEmpty() || size < BtfIndexCache.MIN_BYTES || size > Integer.MAX_VALUE) {
            return read(VMLINUX);
        }
        Path file = BtfIndexCache.kernelFile(dir.get(), buildId.get(), (int) size);
        Optional<Btf> kept = fromKernelFile(file, (int) size);
        if (kept.isPresent()) {
            return kept.get();
        }
        if (!UserCache.writable(dir.get())) {
            return read(VMLINUX);    // nowhere to keep it: an index kept by the BTF's checksum, if there is one
        }
        try {
            ByteBuffer data = ByteBuffer.wrap(readBytes(VMLINUX));
            Btf btf = buildIndexed(parser(data, null));
            BtfIndexCache.write(file, data.capacity(), BtfIndexCache.checksum(data), ((RawNameIndex) btf.names).export(),
                    data);
            return btf;
        } catch (IOException e) {
            throw new BtfException("cannot read BTF file " + VMLINUX + ": " + e.getMessage(), e);
        } catch (BtfException e) {
            throw new BtfException(VMLINUX + ": " + e.getMessage(), e);
        }
    }

    /**
     * The running kernel's BTF from its kept file: empty when there is none, it is not valid, its copy's first or
     * last page is not the kernel's, or its index does not fit the copy.
     */
    private static Optional<Btf> fromKernelFile(Path file, int size) {
        Optional<BtfIndexCache.Kept> kept = BtfIndexCache.readCopy(file, size);
        if (kept.isEmpty()) {
            return Optional.empty();
        }
        try {
            ByteBuffer copy = kept.get().copy().orElseThrow();
            int page = Math.min(4096, size);
            for (int at : new int[] {0, size - page}) {
                byte[] kernels = readRange(VMLINUX, at, page);
                if (kernels.length != page || !copy.slice(at, page).equals(ByteBuffer.wrap(kernels))) {
                    return Optional.empty();
                }
            }
            return fromIndex(parser(copy, null), kept.get().index());
        } catch (IOException | BtfException e) {
            return Optional.empty();    // read and kept anew
        }
    }

    /**
     * A file's bytes, read at most 8 KiB at a time into one array of its size (growing it if the file is longer):
     * sysfs gives a page per read, and for the 1,300 reads of a kernel's BTF this costs a cold JVM half of what
     * {@code Files.readAllBytes} does.
     */
    private static byte[] readBytes(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(size + " bytes is too large for a BTF blob");
        }
        byte[] data = new byte[(int) size];
        int n = 0;
        try (java.io.InputStream in = new java.io.FileInputStream(file.toFile())) {
            while (true) {
                if (n == data.length) {
                    int next = in.read();
                    if (next < 0) {
                        break;
                    }
                    data = java.util.Arrays.copyOf(data, Math.max(8192, data.length * 2));
                    data[n++] = (byte) next;
                }
                int read = in.read(data, n, Math.min(8192, data.length - n));
                if (read < 0) {
                    break;
                }
                n += read;
            }
        }
        return n == data.length ? data : java.util.Arrays.copyOf(data, n);
    }

    /** {@code length} bytes of a file from {@code offset} (fewer if it ends first). */
    private static byte[] readRange(Path file, long offset, int length) throws IOException {
        try (java.io.InputStream in = new java.io.FileInputStream(file.toFile())) {
            in.skipNBytes(offset);
            return in.readNBytes(length);
        }
    }

    /**
     * Reads a BTF file: raw BTF (such as another kernel's vmlinux BTF) or an ELF file's {@code .BTF} section. Its
     * types are decoded when first used ({@link #parseLazily}): reading a kernel's BTF costs an index, not a decode
     * of every type.
     */
    public static Btf read(Path file) {
        byte[] data;
        try {
            data = readBytes(file);
        } catch (NoSuchFileException e) {
            throw new BtfException("BTF file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new BtfException("cannot read BTF file " + file + ": " + e.getMessage(), e);
        }
        try {
            if (ElfFile.isElf(data)) {
                data = ElfFile.parseSections(data, "ELF").section(".BTF").map(ElfSection::data)
                        .orElseThrow(() -> new BtfException("the ELF file has no .BTF section (compile with -g)"));
            }
            return parseLazily(data, null);
        } catch (BtfException | ElfFormatException e) {
            throw new BtfException(file + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- queries

    /** The number of type ids, including void (id 0) and, for split BTF, the base's types. */
    public int typeCount() {
        return firstId + own.size();
    }

    /** All types, indexed by id (index 0 is {@link Void}). */
    public List<BtfType> types() {
        return all;
    }

    /** The base BTF of a split BTF. */
    public Optional<Btf> base() {
        return Optional.ofNullable(base);
    }

    /** The type with that id; BtfException naming the id and the valid range otherwise. */
    public BtfType type(int id) {
        if (id < firstId) {
            if (base != null && id >= 0) {
                return base.type(id);
            }
        } else if (id < typeCount()) {
            return own.get(id - firstId);
        }
        throw new BtfException("no BTF type with id " + Integer.toUnsignedString(id) + ": ids run from 0 to " + (typeCount() - 1));
    }

    /** The type with that id, which must be of kind {@code type}. */
    public <T extends BtfType> T type(int id, Class<T> type) {
        BtfType t = type(id);
        if (!type.isInstance(t)) {
            throw new BtfException("BTF type [" + id + "] " + describe(id) + " is a " + t.kind() + " where "
                    + type.getSimpleName().toUpperCase(java.util.Locale.ROOT) + " was expected");
        }
        return type.cast(t);
    }

    /** Every id whose type has that name, of any kind, in id order. */
    public List<Integer> idsByName(String name) {
        List<Integer> mine = names().ids(name, false);
        if (base == null) {
            return Collections.unmodifiableList(mine);
        }
        List<Integer> result = new ArrayList<>(base.idsByName(name));
        result.addAll(mine);
        return Collections.unmodifiableList(result);
    }

    /**
     * The ids of this BTF's own named types (for split BTF, not the base's) whose name without its flavor
     * ({@code task_struct___old} -> {@code task_struct}, see {@link #essentialName}) is {@code essential}, in id
     * order: CO-RE's candidates.
     */
    public List<Integer> idsByEssentialName(String essential) {
        return Collections.unmodifiableList(names().ids(essential, true));
    }

    /**
     * The name without its flavor: everything before the last {@code ___} that has a non-underscore on both sides
     * ({@code task_struct___old} -> {@code task_struct}), as libbpf's {@code bpf_core_essential_name_len}.
     */
    public static String essentialName(String name) {
        for (int i = name.length() - 5; i >= 0; i--) {
            if (name.charAt(i) != '_' && name.startsWith("___", i + 1) && name.charAt(i + 4) != '_') {
                return name.substring(0, i + 1);
            }
        }
        return name;
    }

    /** The length of {@code length} UTF-8 bytes' essential name ({@link #essentialName}; '_' is one byte). */
    static int essentialLength(ByteBuffer b, int from, int length) {
        for (int i = length - 5; i >= 0; i--) {
            int p = from + i;
            if (b.get(p) != '_' && b.get(p + 1) == '_' && b.get(p + 2) == '_' && b.get(p + 3) == '_'
                    && b.get(p + 4) != '_') {
                return i + 1;
            }
        }
        return length;
    }

    private NameIndex names() {
        NameIndex n = names;
        if (n == null) {
            synchronized (this) {
                n = names;
                if (n == null) {
                    n = own instanceof LazyTypes lazy ? new RawNameIndex(lazy) : new RecordNameIndex();
                    names = n;
                }
            }
        }
        return n;
    }

    /** This BTF's own named types by name, or by essential name. */
    private interface NameIndex {
        /** The ids, in order, whose name (or essential name) is {@code name}. */
        List<Integer> ids(String name, boolean essential);
    }

    /** The index of a changed copy: built from its records. */
    private final class RecordNameIndex implements NameIndex {
        private final Map<String, List<Integer>> byName = new HashMap<>();
        private final Map<String, List<Integer>> byEssential = new HashMap<>();

        RecordNameIndex() {
            for (int i = 0; i < own.size(); i++) {
                String name = own.get(i).name();
                if (!name.isEmpty()) {
                    byName.computeIfAbsent(name, k -> new ArrayList<>(1)).add(firstId + i);
                    byEssential.computeIfAbsent(essentialName(name), k -> new ArrayList<>(1)).add(firstId + i);
                }
            }
        }

        @Override
        public List<Integer> ids(String name, boolean essential) {
            return (essential ? byEssential : byName).getOrDefault(name, List.of());
        }
    }

    /**
     * The index of parsed BTF, built from the raw names without decoding a type or making a String: a hash table
     * of the essential names' bytes, each chain in id order; a look-up compares bytes.
     */
    private final class RawNameIndex implements NameIndex {
        private final LazyTypes types;
        private final IntBuffer heads;
        private final IntBuffer next;
        /** Per own type: where its name starts in {@code strings} and its length, essential length; -1: none. */
        private final IntBuffer nameStart;
        private final IntBuffer nameLength;
        private final IntBuffer essentialLength;
        /** Names of types whose name is not in this BTF's own strings (split BTF naming a base string). */
        private final Map<Integer, ByteBuffer> extra = new HashMap<>();

        /** The index kept on disk for the same bytes ({@link BtfIndexCache}). */
        RawNameIndex(LazyTypes types, BtfIndexCache.Index kept) {
            this.types = types;
            heads = kept.heads();
            next = kept.next();
            nameStart = kept.nameStart();
            nameLength = kept.nameLength();
            essentialLength = kept.essentialLength();
        }

        /** The arrays to keep on disk (a blob without split names: base BTF only). */
        BtfIndexCache.Index export() {
            return new BtfIndexCache.Index(types.offsets, heads, next, nameStart, nameLength, essentialLength);
        }

        RawNameIndex(LazyTypes types) {
            this.types = types;
            int n = types.size();
            int[] heads = new int[Integer.highestOneBit(Math.max(1, n) * 2 - 1) << 1];
            java.util.Arrays.fill(heads, -1);
            int[] next = new int[n];
            int[] nameStart = new int[n];
            int[] nameLength = new int[n];
            int[] essentialLength = new int[n];
            TypeParser parser = types.parser;
            int own = strings.capacity();
            for (int i = n - 1; i >= 0; i--) {
                nameStart[i] = -1;
                int pos = types.offsets.get(i);
                if (pos < 0 || !parser.hasNamedKind(pos)) {
                    continue;
                }
                int off = parser.r.u32(pos, "name_off") - firstStringOffset;
                ByteBuffer b = strings;
                int end = off;
                if (off < 0 || off >= own) {
                    if (off + firstStringOffset == 0) {
                        continue;
                    }
                    // a name in the base's strings, or past the end: decode it (or throw), index it by its record
                    String name = types.get(i).name();
                    if (name.isEmpty()) {
                        continue;
                    }
                    b = ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8));
                    extra.put(i, b);
                    off = 0;
                    end = b.capacity();
                } else {
                    while (strings.get(end) != 0) {
                        end++;
                    }
                    if (end == off) {
                        continue;
                    }
                    nameStart[i] = off;
                    nameLength[i] = end - off;
                }
                int essential = Btf.essentialLength(b, off, end - off);
                essentialLength[i] = essential;
                int bucket = hash(b, off, essential) & (heads.length - 1);
                next[i] = heads[bucket];
                heads[bucket] = i;
            }
            this.heads = IntBuffer.wrap(heads);
            this.next = IntBuffer.wrap(next);
            this.nameStart = IntBuffer.wrap(nameStart);
            this.nameLength = IntBuffer.wrap(nameLength);
            this.essentialLength = IntBuffer.wrap(essentialLength);
        }

        @Override
        public List<Integer> ids(String name, boolean essential) {
            ByteBuffer q = ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8));
            int qLength = q.capacity();
            int qEssential = essential ? qLength : Btf.essentialLength(q, 0, qLength);
            List<Integer> out = new ArrayList<>(1);
            int buckets = heads.capacity();
            for (int i = heads.get(hash(q, 0, qEssential) & (buckets - 1)); i >= 0; i = next.get(i)) {
                ByteBuffer b;
                int from;
                int length;
                if (nameStart.get(i) >= 0) {
                    b = strings;
                    from = nameStart.get(i);
                    length = nameLength.get(i);
                } else {
                    b = extra.get(i);
                    from = 0;
                    length = b.capacity();
                }
                int essentialLen = essentialLength.get(i);
                int compared = essential ? essentialLen : length;
                if (compared == qLength && (essential || essentialLen == qEssential)
                        && b.slice(from, compared).equals(q)) {
                    out.add(firstId + i);
                }
            }
            return out;
        }

        private static int hash(ByteBuffer b, int from, int length) {
            int h = 0x811c9dc5;
            for (int i = from; i < from + length; i++) {
                h = (h ^ b.get(i)) * 0x01000193;
            }
            return h ^ h >>> 16;
        }
    }

    /** The first id whose type has that name and is of that kind (e.g. {@code Struct.class}). */
    public <T extends BtfType> Optional<Integer> findId(String name, Class<T> kind) {
        return idsByName(name).stream().filter(id -> kind.isInstance(type(id))).findFirst();
    }

    /** The first id whose type has that name and is of that kind; a clear BtfException when there is none. */
    public <T extends BtfType> int id(String name, Class<T> kind) {
        return findId(name, kind).orElseThrow(() -> {
            List<Integer> others = idsByName(name);
            return new BtfException("no " + kind.getSimpleName().toUpperCase(java.util.Locale.ROOT) + " named '" + name
                    + "' in BTF" + (others.isEmpty() ? "" : "; types with that name: "
                    + others.stream().map(id -> "[" + id + "] " + type(id).kind()).collect(Collectors.joining(", "))));
        });
    }

    /** The string at that offset of the string section (for split BTF, offsets below the base's end are the base's). */
    public String string(int offset) {
        if (offset >= 0 && offset < firstStringOffset) {
            return base.string(offset);
        }
        return ByteReader.cString(strings, offset - firstStringOffset, "BTF string section");
    }

    /** Follows typedef, const, volatile, restrict and type_tag from {@code id} to the first other type's id. */
    public int resolve(int id) {
        int current = id;
        for (int i = 0; i < MAX_CHAIN; i++) {
            BtfType t = type(current);
            if (t instanceof Typedef td) {
                current = td.type();
            } else if (t instanceof Const c) {
                current = c.type();
            } else if (t instanceof Volatile v) {
                current = v.type();
            } else if (t instanceof Restrict r) {
                current = r.type();
            } else if (t instanceof TypeTag tt) {
                current = tt.type();
            } else {
                return current;
            }
        }
        throw new BtfException("BTF type [" + id + "]: more than " + MAX_CHAIN + " typedefs/modifiers in a row (a cycle?)");
    }

    /** The type {@code id} resolves to (see {@link #resolve(int)}). */
    public BtfType resolvedType(int id) {
        return type(resolve(id));
    }

    /**
     * The size in bytes of a value of type {@code id}, as libbpf's {@code btf__resolve_size}: typedefs and
     * modifiers are followed, arrays multiply, pointers are 8 bytes. Void, functions and forward declarations
     * have no size: BtfException.
     */
    public long sizeOf(int id) {
        long elements = 1;
        int current = id;
        for (int i = 0; i < MAX_CHAIN; i++) {
            BtfType t = type(current);
            long size;
            if (t instanceof Int x) {
                size = x.size();
            } else if (t instanceof CompositeType c) {
                size = c.size();
            } else if (t instanceof EnumType e) {
                size = e.size();
            } else if (t instanceof Float f) {
                size = f.size();
            } else if (t instanceof Datasec d) {
                size = d.size();
            } else if (t instanceof Ptr) {
                size = 8;
            } else if (t instanceof Array a) {
                elements *= a.nelems();
                if (elements > 0xffffffffL) {
                    throw new BtfException("BTF type [" + id + "] " + describe(id) + " is larger than 4 GiB");
                }
                current = a.type();
                continue;
            } else if (t instanceof Var v) {
                current = v.type();
                continue;
            } else if (t instanceof DeclTag dt) {
                current = dt.type();
                continue;
            } else {
                int next = resolve(current);
                if (next != current) {
                    current = next;
                    continue;
                }
                throw new BtfException("BTF type [" + id + "] " + describe(id) + " has no size: "
                        + (current == id ? "it is" : "it is based on [" + current + "],") + " a " + kindWord(t));
            }
            long total = elements * size;
            if (total > 0xffffffffL) {
                throw new BtfException("BTF type [" + id + "] " + describe(id) + " is larger than 4 GiB");
            }
            return total;
        }
        throw new BtfException("BTF type [" + id + "]: more than " + MAX_CHAIN + " levels of arrays/typedefs (a cycle?)");
    }

    private static String kindWord(BtfType t) {
        return switch (t.kind()) {
            case VOID -> "void";
            case FWD -> "forward declaration (an incomplete type)";
            case FUNC, FUNC_PROTO -> "function";
            default -> t.kind().name();
        };
    }

    /** The alignment in bytes of type {@code id}, as libbpf's {@code btf__align_of} (1 for a packed struct). */
    public int alignOf(int id) {
        return alignOf(id, new HashMap<>());
    }

    /** {@code memo} holds finished ids and, with value 0, those being worked on (to catch cycles). */
    private int alignOf(int id, Map<Integer, Integer> memo) {
        Integer known = memo.get(id);
        if (known != null) {
            if (known == 0) {
                throw new BtfException("BTF type [" + id + "] " + describe(id) + " contains itself (a cycle)");
            }
            return known;
        }
        memo.put(id, 0);
        int align = computeAlignOf(id, memo);
        memo.put(id, align);
        return align;
    }

    private int computeAlignOf(int id, Map<Integer, Integer> memo) {
        BtfType t = type(id);
        if (t instanceof Int x) {
            return Math.max(1, Math.min(8, x.size()));
        } else if (t instanceof EnumType e) {
            return Math.max(1, Math.min(8, e.size()));
        } else if (t instanceof Float f) {
            return Math.max(1, Math.min(8, f.size()));
        } else if (t instanceof Ptr) {
            return 8;
        } else if (t instanceof Array a) {
            return alignOf(a.type(), memo);
        } else if (t instanceof CompositeType c) {
            int max = 1;
            for (Member m : c.members()) {
                int align = alignOf(m.type(), memo);
                max = Math.max(max, align);
                if (m.bitfieldSize() == 0 && m.bitOffset() % (8 * align) != 0) {
                    return 1;
                }
            }
            return c.size() % max != 0 ? 1 : max;
        }
        int next = resolve(id);
        if (next != id) {
            return alignOf(next, memo);
        }
        throw new BtfException("BTF type [" + id + "] " + describe(id) + " has no alignment: it is a " + kindWord(t));
    }

    /**
     * Where a struct or union member's value is: for an old-style bitfield (kind_flag clear, an INT type with its
     * own bit offset and width) the bit offset and size are moved from the INT into the returned member.
     */
    public Member layoutOf(Member member) {
        if (member.bitfieldSize() != 0) {
            return member;
        }
        if (resolvedType(member.type()) instanceof Int i && (i.offset() != 0 || i.bits() != i.size() * 8)) {
            return new Member(member.name(), member.type(), member.bitOffset() + i.offset(), i.bits());
        }
        return member;
    }

    /** A C-like description of type {@code id}: {@code struct stats}, {@code __u32}, {@code char[16]}, {@code unsigned int *}. */
    public String describe(int id) {
        return new Describer().describe(id, 0);
    }

    /** Builds one description, with a bound on the work so that cyclic (corrupt) BTF still gets an answer. */
    private final class Describer {
        private int budget = 1000;

        private String describe(int id, int depth) {
            if (depth > MAX_CHAIN || --budget < 0) {
                return "...";
            }
            BtfType t = type(id);
            String name = t.name().isEmpty() ? "(anon)" : t.name();
            if (t instanceof Void) {
                return "void";
            } else if (t instanceof Int || t instanceof Float || t instanceof Typedef) {
                return name;
            } else if (t instanceof Struct) {
                return "struct " + name;
            } else if (t instanceof Union) {
                return "union " + name;
            } else if (t instanceof EnumType) {
                return "enum " + name;
            } else if (t instanceof Fwd f) {
                return (f.union() ? "union " : "struct ") + name;
            } else if (t instanceof Ptr p) {
                if (type(p.type()) instanceof FuncProto fp) {
                    return describeProto(fp, "(*)", depth);
                }
                return pointerTo(describe(p.type(), depth + 1));
            } else if (t instanceof Const c) {
                return qualified("const", c.type(), depth);
            } else if (t instanceof Volatile v) {
                return qualified("volatile", v.type(), depth);
            } else if (t instanceof Restrict r) {
                return qualified("restrict", r.type(), depth);
            } else if (t instanceof TypeTag tt) {
                return qualified("__attribute__((btf_type_tag(\"" + tt.name() + "\")))", tt.type(), depth);
            } else if (t instanceof Array) {
                StringBuilder dims = new StringBuilder();
                int elem = id;
                for (int i = 0; i < MAX_CHAIN && type(elem) instanceof Array a; i++) {
                    dims.append('[').append(a.nelems()).append(']');
                    elem = a.type();
                }
                return describe(elem, depth + 1) + dims;
            } else if (t instanceof FuncProto fp) {
                return describeProto(fp, "", depth);
            } else if (t instanceof Func f) {
                return type(f.type()) instanceof FuncProto fp ? describeProto(fp, f.name(), depth) : "func " + f.name();
            } else if (t instanceof Var v) {
                return describe(v.type(), depth + 1) + " " + v.name();
            } else if (t instanceof Datasec) {
                return "section " + name;
            } else if (t instanceof DeclTag dt) {
                return "__attribute__((btf_decl_tag(\"" + dt.name() + "\"))) on " + describe(dt.type(), depth + 1)
                        + (dt.componentIdx() >= 0 ? " (component " + dt.componentIdx() + ")" : "");
            }
            throw new IllegalStateException("unhandled BTF kind " + t.kind());
        }

        private static String pointerTo(String target) {
            return target.endsWith("*") ? target + "*" : target + " *";
        }

        private String qualified(String qualifier, int target, int depth) {
            String inner = describe(target, depth + 1);
            return type(target) instanceof Ptr ? inner + " " + qualifier : qualifier + " " + inner;
        }

        private String describeProto(FuncProto fp, String declarator, int depth) {
            String params = fp.params().isEmpty() ? "void" : fp.params().stream()
                    .map(p -> p.type() == 0 && p.name().isEmpty() ? "..."
                            : describe(p.type(), depth + 1) + (p.name().isEmpty() ? "" : " " + p.name()))
                    .collect(Collectors.joining(", "));
            return describe(fp.returnType(), depth + 1) + " " + declarator + "(" + params + ")";
        }
    }

    // ---------------------------------------------------------------- changing and encoding

    /** A new Btf with the types at the given ids replaced (ids stay the same; for split BTF only its own ids). */
    public Btf replaceTypes(Map<Integer, BtfType> replacements) {
        List<BtfType> types = new ArrayList<>(own);
        replacements.forEach((id, t) -> {
            if (id == null || t == null) {
                throw new BtfException("replaceTypes: null id or type (" + id + " -> " + t + ")");
            }
            if (id == 0 && base == null) {
                throw new BtfException("replaceTypes: type [0] is void and cannot be replaced");
            }
            if (id < firstId || id >= typeCount()) {
                throw new BtfException("replaceTypes: no type [" + id + "] to replace in this BTF (its ids: "
                        + Math.max(1, firstId) + ".." + (typeCount() - 1) + ")");
            }
            if (t instanceof Void) {
                throw new BtfException("replaceTypes: type [" + id + "] cannot become void");
            }
            types.set(id - firstId, t);
        });
        Btf changed = new Btf(base, types, strings, nameOffsets, false);
        new java.util.TreeMap<>(replacements).forEach((id, t) -> changed.checkReferences(t, id));
        return changed;
    }

    /** A new Btf with {@code types} appended; their ids continue after {@link #typeCount()}. */
    public Btf addTypes(List<? extends BtfType> types) {
        List<BtfType> all = new ArrayList<>(own);
        for (BtfType t : types) {
            if (t == null || t instanceof Void) {
                throw new BtfException("addTypes: cannot add " + t + " (void is type 0 only)");
            }
            all.add(t);
        }
        Btf added = new Btf(base, all, strings, nameOffsets, false);
        for (int i = own.size(); i < all.size(); i++) {
            added.checkReferences(all.get(i), firstId + i);
        }
        return added;
    }

    /**
     * Encodes this BTF in this machine's byte order (little-endian on x86-64 and arm64), as {@code BPF_BTF_LOAD}
     * expects. The string section is the original one with any new strings appended, so existing string offsets
     * stay valid. For split BTF only its own types and strings are encoded.
     */
    public byte[] encode() {
        return encode(ByteOrder.nativeOrder());
    }

    /**
     * Encodes this BTF in the given byte order (see {@link #encode()}). A Btf does not change, so its encoding in
     * this machine's order is made once (every load of the same spec sends it) and each call returns a copy.
     */
    public byte[] encode(ByteOrder order) {
        if (order != ByteOrder.nativeOrder()) {
            return encodeNow(order);
        }
        byte[] bytes = encodedNative;
        if (bytes == null) {
            bytes = encodeNow(order);
            encodedNative = bytes;
        }
        return bytes.clone();
    }

    private byte[] encodeNow(ByteOrder order) {
        StringTable strs = new StringTable();
        Out types = new Out(order);
        for (int i = base == null ? 1 : 0; i < own.size(); i++) {
            try {
                encodeType(own.get(i), strs, types);
            } catch (BtfException e) {
                throw new BtfException("encoding BTF type [" + (firstId + i) + "] " + own.get(i).kind() + " '"
                        + own.get(i).name() + "': " + e.getMessage(), e);
            }
        }
        byte[] typeBytes = types.toByteArray();
        byte[] strBytes = strs.toByteArray();
        Out out = new Out(order);
        out.u16(MAGIC);
        out.u8(1);
        out.u8(0);
        out.u32(HEADER_LEN);
        out.u32(0);
        out.u32(typeBytes.length);
        out.u32(typeBytes.length);
        out.u32(strBytes.length);
        out.bytes(typeBytes);
        out.bytes(strBytes);
        return out.toByteArray();
    }

    private static void encodeType(BtfType t, StringTable s, Out o) {
        int kind = t.kind().number() << 24;
        if (t instanceof Int x) {
            header(o, s.offsetOf(x.name()), kind, x.size());
            if ((x.encoding() & ~0x0f) != 0 || (x.offset() & ~0xff) != 0 || (x.bits() & ~0xff) != 0) {
                throw new BtfException("INT encoding/offset/bits out of range: " + x);
            }
            o.u32(x.encoding() << 24 | x.offset() << 16 | x.bits());
        } else if (t instanceof Ptr p) {
            header(o, 0, kind, p.type());
        } else if (t instanceof Array a) {
            header(o, 0, kind, 0);
            o.u32(a.type());
            o.u32(a.indexType());
            o.u32(a.nelems());
        } else if (t instanceof CompositeType c) {
            boolean kflag = false;
            for (Member m : c.members()) {
                kflag |= m.bitfieldSize() != 0;
            }
            header(o, s.offsetOf(c.name()), kind | flag(kflag) | vlen(c.members().size()), c.size());
            for (Member m : c.members()) {
                o.u32(s.offsetOf(m.name()));
                o.u32(m.type());
                o.u32(kflag ? m.bitfieldSize() << 24 | m.bitOffset() : m.bitOffset());
            }
        } else if (t instanceof Enum e) {
            header(o, s.offsetOf(e.name()), kind | flag(e.signed()) | vlen(e.values().size()), e.size());
            for (EnumValue v : e.values()) {
                if (v.value() < Integer.MIN_VALUE || v.value() > 0xffffffffL) {
                    throw new BtfException("value " + v.name() + " = " + v.value() + " does not fit 32 bits (use ENUM64)");
                }
                o.u32(s.offsetOf(v.name()));
                o.u32((int) v.value());
            }
        } else if (t instanceof Enum64 e) {
            header(o, s.offsetOf(e.name()), kind | flag(e.signed()) | vlen(e.values().size()), e.size());
            for (EnumValue v : e.values()) {
                o.u32(s.offsetOf(v.name()));
                o.u32((int) v.value());
                o.u32((int) (v.value() >>> 32));
            }
        } else if (t instanceof Fwd f) {
            header(o, s.offsetOf(f.name()), kind | flag(f.union()), 0);
        } else if (t instanceof Typedef td) {
            header(o, s.offsetOf(td.name()), kind, td.type());
        } else if (t instanceof Volatile v) {
            header(o, 0, kind, v.type());
        } else if (t instanceof Const c) {
            header(o, 0, kind, c.type());
        } else if (t instanceof Restrict r) {
            header(o, 0, kind, r.type());
        } else if (t instanceof Func f) {
            header(o, s.offsetOf(f.name()), kind | f.linkage().number(), f.type());
        } else if (t instanceof FuncProto fp) {
            header(o, 0, kind | vlen(fp.params().size()), fp.returnType());
            for (Param p : fp.params()) {
                o.u32(s.offsetOf(p.name()));
                o.u32(p.type());
            }
        } else if (t instanceof Var v) {
            header(o, s.offsetOf(v.name()), kind, v.type());
            o.u32(v.linkage().number());
        } else if (t instanceof Datasec d) {
            header(o, s.offsetOf(d.name()), kind | vlen(d.vars().size()), d.size());
            for (VarSecinfo v : d.vars()) {
                o.u32(v.type());
                o.u32(v.offset());
                o.u32(v.size());
            }
        } else if (t instanceof Float f) {
            header(o, s.offsetOf(f.name()), kind, f.size());
        } else if (t instanceof DeclTag dt) {
            header(o, s.offsetOf(dt.name()), kind | flag(dt.attribute()), dt.type());
            o.u32(dt.componentIdx());
        } else if (t instanceof TypeTag tt) {
            header(o, s.offsetOf(tt.name()), kind | flag(tt.attribute()), tt.type());
        } else {
            throw new BtfException("cannot encode " + t);
        }
    }

    private static void header(Out o, int nameOff, int info, int sizeOrType) {
        o.u32(nameOff);
        o.u32(info);
        o.u32(sizeOrType);
    }

    private static int flag(boolean kflag) {
        return kflag ? 1 << 31 : 0;
    }

    private static int vlen(int n) {
        if (n > 0xffff) {
            throw new BtfException(n + " members/values/params exceed BTF's limit of 65535");
        }
        return n;
    }

    /** The string section being encoded: the original bytes, then new strings. */
    private final class StringTable {
        private final Map<String, Integer> index = stringIndex();
        private final Map<String, Integer> added = new HashMap<>();
        private final ByteArrayOutputStream extra = new ByteArrayOutputStream();

        int offsetOf(String s) {
            if (s.isEmpty()) {
                return 0;
            }
            Integer off = index.get(s);
            if (off == null) {
                off = added.get(s);
            }
            if (off == null) {
                if (s.indexOf('\0') >= 0) {
                    throw new BtfException("name '" + s.replace("\0", "\\0") + "' contains a NUL character");
                }
                off = firstStringOffset + strings.capacity() + extra.size();
                extra.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                extra.write(0);
                added.put(s, off);
            }
            return off;
        }

        byte[] toByteArray() {
            int own = strings.capacity();
            byte[] out = new byte[own + extra.size()];
            strings.get(0, out, 0, own);
            System.arraycopy(extra.toByteArray(), 0, out, own, extra.size());
            return out;
        }
    }

    /** Every string of the string section (and the base's) by its first offset, for encoding. */
    private Map<String, Integer> stringIndex() {
        Map<String, Integer> index = stringIndex;
        if (index == null) {
            index = new HashMap<>();
            if (base != null) {
                index.putAll(base.stringIndex());
            }
            byte[] bytes = new byte[strings.capacity()];
            strings.get(0, bytes, 0, bytes.length);
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    if (i > start) {
                        index.putIfAbsent(new String(bytes, start, i - start, StandardCharsets.UTF_8), firstStringOffset + start);
                    }
                    start = i + 1;
                }
            }
            for (Map.Entry<String, Integer> e : nameOffsets.get().entrySet()) {
                index.putIfAbsent(e.getKey(), e.getValue());
            }
            stringIndex = index;
        }
        return index;
    }

    /**
     * Each name the parsed types use, by its first string offset (a name may point into the middle of another
     * string): collected from the raw types when an encode first needs it.
     */
    private static final class NameOffsets {
        private final TypeParser parser;
        private Map<String, Integer> offsets;

        NameOffsets(TypeParser parser) {
            this.parser = parser;
        }

        synchronized Map<String, Integer> get() {
            if (offsets == null) {
                Map<String, Integer> m = new HashMap<>();
                LazyTypes types = (LazyTypes) parser.btf.own;
                parser.forEachNameOffset(types, off -> {
                    if (off != 0) {
                        m.putIfAbsent(parser.lookup(off), off);
                    }
                });
                offsets = m;
            }
            return offsets;
        }
    }

    /** A growing little buffer writing integers in one byte order. */
    static final class Out {
        private final boolean bigEndian;
        private byte[] buf = new byte[256];
        private int size;

        Out(ByteOrder order) {
            bigEndian = order == ByteOrder.BIG_ENDIAN;
        }

        private void room(int n) {
            if (size + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        void u8(int v) {
            room(1);
            buf[size++] = (byte) v;
        }

        void u16(int v) {
            room(2);
            buf[size++] = (byte) (bigEndian ? v >>> 8 : v);
            buf[size++] = (byte) (bigEndian ? v : v >>> 8);
        }

        void u32(int v) {
            room(4);
            if (bigEndian) {
                buf[size++] = (byte) (v >>> 24);
                buf[size++] = (byte) (v >>> 16);
                buf[size++] = (byte) (v >>> 8);
                buf[size++] = (byte) v;
            } else {
                buf[size++] = (byte) v;
                buf[size++] = (byte) (v >>> 8);
                buf[size++] = (byte) (v >>> 16);
                buf[size++] = (byte) (v >>> 24);
            }
        }

        void bytes(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, size);
        }
    }

    @Override
    public String toString() {
        return "Btf[" + typeCount() + " types" + (base != null ? ", split from " + firstId : "") + ", "
                + strings.capacity() + " bytes of strings]";
    }
}

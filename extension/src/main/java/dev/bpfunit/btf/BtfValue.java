package dev.bpfunit.btf;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A value in memory (a map key or value, a global variable) read through its BTF type: structs by field name,
 * array elements, enums by name, integers with their sign and size.
 *
 * <p>Values are in this machine's byte order, as the kernel stores them. A bitfield member is returned as a value
 * of the member's integer type holding just the field's bits (sign-extended for a signed type).
 */
public final class BtfValue {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private final Btf btf;
    private final int typeId;
    private final byte[] bytes;

    private BtfValue(Btf btf, int typeId, byte[] bytes) {
        this.btf = btf;
        this.typeId = typeId;
        this.bytes = bytes;
    }

    /** Reads {@code bytes} as a value of type {@code typeId}; their length must be the type's size. */
    public static BtfValue decode(Btf btf, int typeId, byte[] bytes) {
        Objects.requireNonNull(btf, "btf");
        Objects.requireNonNull(bytes, "bytes");
        long size = btf.sizeOf(typeId);
        if (bytes.length != size) {
            throw new BtfException("a value of type " + btf.describe(typeId) + " is " + size + " bytes, but "
                    + bytes.length + " bytes were given");
        }
        return new BtfValue(btf, typeId, bytes.clone());
    }

    /** The value's BTF type id. */
    public int typeId() {
        return typeId;
    }

    /** The C-like name of the value's type, such as {@code struct stats} or {@code __u32}. */
    public String typeName() {
        return btf.describe(typeId);
    }

    /** A copy of the value's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    private BtfType resolved() {
        return btf.resolvedType(typeId);
    }

    // ---------------------------------------------------------------- navigation

    /** The struct or union member with that name; anonymous struct/union members are looked through. */
    public BtfValue get(String fieldName) {
        Objects.requireNonNull(fieldName, "fieldName");
        if (!(resolved() instanceof CompositeType c)) {
            throw new BtfException(typeName() + " has no fields: it is not a struct or union, so there is no field '"
                    + fieldName + "'");
        }
        Member m = findMember(btf, c, fieldName, 0);
        if (m == null) {
            throw new BtfException(typeName() + " has no field '" + fieldName + "'; its fields: "
                    + String.join(", ", fieldNames(c, 0)));
        }
        return memberValue(m);
    }

    /**
     * The member with that name, looking through anonymous struct/union members (its bit offset then counts
     * from the start of {@code c}), or null.
     */
    private static Member findMember(Btf btf, CompositeType c, String name, int depth) {
        for (Member m : c.members()) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        for (Member m : c.members()) {
            if (depth < 16 && m.name().isEmpty() && btf.resolvedType(m.type()) instanceof CompositeType inner) {
                Member f = findMember(btf, inner, name, depth + 1);
                if (f != null) {
                    return new Member(f.name(), f.type(), m.bitOffset() + f.bitOffset(), f.bitfieldSize());
                }
            }
        }
        return null;
    }

    private List<String> fieldNames(CompositeType c, int depth) {
        List<String> names = new ArrayList<>();
        for (Member m : c.members()) {
            if (m.name().isEmpty() && depth < 16 && btf.resolvedType(m.type()) instanceof CompositeType inner) {
                names.addAll(fieldNames(inner, depth + 1));
            } else {
                names.add(m.name());
            }
        }
        return names;
    }

    private BtfValue memberValue(Member member) {
        Member m = btf.layoutOf(member);
        if (m.bitfieldSize() != 0) {
            long size = btf.sizeOf(m.type());
            long raw = readBits(bytes, m.bitOffset(), m.bitfieldSize(), typeName() + "." + m.name());
            boolean signed = btf.resolvedType(m.type()) instanceof Int i && i.isSigned()
                    || btf.resolvedType(m.type()) instanceof EnumType e && e.signed();
            if (signed && m.bitfieldSize() < 64) {
                raw = raw << (64 - m.bitfieldSize()) >> (64 - m.bitfieldSize());
            }
            return new BtfValue(btf, m.type(), writeInt(raw, (int) size));
        }
        if (m.bitOffset() % 8 != 0) {
            throw new BtfException(typeName() + "." + m.name() + " starts at bit " + m.bitOffset()
                    + ", which is not on a byte boundary");
        }
        int offset = m.bitOffset() / 8;
        long size = btf.sizeOf(m.type());
        if (offset + size > bytes.length) {
            throw new BtfException(typeName() + "." + m.name() + " (bytes " + offset + ".." + (offset + size)
                    + ") lies outside the " + bytes.length + "-byte value");
        }
        return new BtfValue(btf, m.type(), Arrays.copyOfRange(bytes, offset, (int) (offset + size)));
    }

    /** The array element at {@code index}. */
    public BtfValue get(int index) {
        if (!(resolved() instanceof Array a)) {
            throw new BtfException(typeName() + " is not an array, so it has no element " + index);
        }
        if (index < 0 || index >= a.nelems()) {
            throw new BtfException("index " + index + " is out of bounds for " + typeName() + " (" + a.nelems()
                    + " elements)");
        }
        int size = (int) btf.sizeOf(a.type());
        return new BtfValue(btf, a.type(), Arrays.copyOfRange(bytes, index * size, (index + 1) * size));
    }

    /** The number of elements of an array value. */
    public int length() {
        if (!(resolved() instanceof Array a)) {
            throw new BtfException(typeName() + " is not an array");
        }
        return a.nelems();
    }

    // ---------------------------------------------------------------- scalars

    /**
     * The value of an integer, enum, bool or pointer, sign-extended when its type is signed. An unsigned 64-bit
     * value keeps its bit pattern (use {@link Long#toUnsignedString(long)} to print it).
     */
    public long asLong() {
        BtfType t = resolved();
        boolean signed;
        if (t instanceof Int i) {
            if (i.size() > 8) {
                throw new BtfException(typeName() + " is a " + i.size() * 8 + "-bit integer; use bytes()");
            }
            signed = i.isSigned();
        } else if (t instanceof EnumType e) {
            signed = e.signed();
        } else if (t instanceof Ptr) {
            signed = false;
        } else {
            throw new BtfException(typeName() + " is not an integer, enum or pointer (it is a " + t.kind() + ")");
        }
        long v = readInt(bytes, bytes.length);
        int bits = bytes.length * 8;
        if (bits < 64) {
            v = signed ? v << (64 - bits) >> (64 - bits) : v & (-1L >>> (64 - bits));
        }
        return v;
    }

    /** {@link #asLong()} when it fits an int; BtfException otherwise. */
    public int asInt() {
        long v = asLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new BtfException(typeName() + " value " + unsignedAware(v) + " does not fit an int; use asLong()");
        }
        return (int) v;
    }

    /** Whether an integer, bool, enum or pointer is non-zero. */
    public boolean asBoolean() {
        return asLong() != 0;
    }

    /** The value of a float or double. */
    public double asDouble() {
        if (!(resolved() instanceof Float f)) {
            throw new BtfException(typeName() + " is not a floating-point type");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ORDER);
        return switch (f.size()) {
            case 4 -> b.getFloat(0);
            case 8 -> b.getDouble(0);
            default -> throw new BtfException(typeName() + " is a " + f.size() * 8 + "-bit float; use bytes()");
        };
    }

    /** The enumerator name of an enum value; BtfException listing the enumerators when none has this value. */
    public String asEnumName() {
        if (!(resolved() instanceof EnumType e)) {
            throw new BtfException(typeName() + " is not an enum");
        }
        long v = asLong();
        return enumeratorOf(e, v).orElseThrow(() -> new BtfException(typeName() + " has no enumerator with value "
                + unsignedAware(v) + "; its enumerators: " + e.values().stream()
                        .map(x -> x.name() + "=" + x.value()).collect(Collectors.joining(", "))));
    }

    private static java.util.Optional<String> enumeratorOf(EnumType e, long v) {
        int bits = e.size() * 8;
        long mask = bits >= 64 ? -1L : (1L << bits) - 1;
        return e.values().stream().filter(x -> (x.value() & mask) == (v & mask)).map(EnumValue::name).findFirst();
    }

    /** The text of a char array, up to its first NUL byte (UTF-8). */
    public String asString() {
        if (!(resolved() instanceof Array a) || !isCharLike(btf.resolvedType(a.type()))) {
            throw new BtfException(typeName() + " is not a char array");
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** A {@code char} array holding printable text up to a NUL and only NULs after it: printed as a string. */
    private boolean looksLikeText(BtfType elem) {
        if (!(elem instanceof Int i) || i.size() != 1 || !(i.isChar() || i.name().equals("char"))) {
            return false;
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            if ((bytes[end] & 0xff) < 0x20 || bytes[end] == 0x7f) {
                return false;
            }
            end++;
        }
        for (int i2 = end; i2 < bytes.length; i2++) {
            if (bytes[i2] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCharLike(BtfType t) {
        return t instanceof Int i && i.size() == 1 && !i.isBool();
    }

    private String unsignedAware(long v) {
        return resolved() instanceof Int i && !i.isSigned() && i.size() == 8 ? Long.toUnsignedString(v) : Long.toString(v);
    }

    // ---------------------------------------------------------------- printing

    /** The value the way bpftool prints map contents with BTF: {@code {"packets": 3, "name": "eth0", "proto": IPPROTO_UDP}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        print(sb, 0);
        return sb.toString();
    }

    private void print(StringBuilder sb, int depth) {
        if (depth > 32) {
            sb.append("...");
            return;
        }
        BtfType t = resolved();
        if (t instanceof CompositeType c) {
            sb.append('{');
            printMembers(c, sb, depth, true);
            sb.append('}');
        } else if (t instanceof Array a) {
            if (looksLikeText(btf.resolvedType(a.type()))) {
                sb.append('"').append(escape(asString())).append('"');
                return;
            }
            sb.append('[');
            for (int i = 0; i < a.nelems(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                get(i).print(sb, depth + 1);
            }
            sb.append(']');
        } else if (t instanceof EnumType e) {
            long v = asLong();
            sb.append(enumeratorOf(e, v).orElse(unsignedAware(v)));
        } else if (t instanceof Int i) {
            if (i.isBool()) {
                sb.append(asBoolean());
            } else if (i.size() > 8) {
                byte[] be = bytes.clone();
                if (ORDER == ByteOrder.LITTLE_ENDIAN) {
                    reverse(be);
                }
                sb.append(i.isSigned() ? new BigInteger(be) : new BigInteger(1, be));
            } else {
                sb.append(unsignedAware(asLong()));
            }
        } else if (t instanceof Ptr) {
            sb.append("0x").append(Long.toHexString(asLong()));
        } else if (t instanceof Float) {
            sb.append(asDouble());
        } else {
            sb.append("<").append(t.kind()).append(">");
        }
    }

    private boolean printMembers(CompositeType c, StringBuilder sb, int depth, boolean first) {
        for (Member m : c.members()) {
            BtfValue v = memberValue(m);
            if (m.name().isEmpty() && v.resolved() instanceof CompositeType inner) {
                first = v.printMembers(inner, sb, depth + 1, first);
                continue;
            }
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append('"').append(escape(m.name())).append("\": ");
            v.print(sb, depth + 1);
        }
        return first;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BtfValue v && v.btf == btf && v.typeId == typeId && Arrays.equals(v.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return typeId * 31 + Arrays.hashCode(bytes);
    }

    // ---------------------------------------------------------------- encoding

    /**
     * The bytes of a value of type {@code typeId} made from a Java value: a Number of any width that fits (or a
     * BigInteger, Boolean, Character, or a String holding a decimal or 0x number, or true/false for a bool) for
     * integers, bools and pointers; a Number or numeric String for floats; an enumerator name or a number for
     * enums; a String for a char array; a List for other arrays; a {@code Map<String, ?>} of field values or a
     * record (components by name) for a struct or union (missing fields are zero); or a byte[] of exactly the
     * type's size for any type. Out-of-range numbers are refused.
     *
     * <p>This is the one encoder of values: the loader's {@code global()}, {@code @Global}, {@code GlobalVariable.set}
     * and the map codecs all come here (through {@link #encodeBySize} where there is no BTF type).
     */
    public static byte[] encode(Btf btf, int typeId, Object javaValue) {
        return encode(btf, typeId, javaValue, btf.describe(typeId));
    }

    /** {@link #encode(Btf, int, Object)}, with messages starting with {@code path} (what is being set). */
    public static byte[] encode(Btf btf, int typeId, Object javaValue, String path) {
        long size = btf.sizeOf(typeId);
        byte[] out = new byte[(int) size];
        new Encoder(btf).write(typeId, javaValue, out, 0, path);
        return out;
    }

    /**
     * The bytes of a value for a variable or field known only by its size (no BTF): a byte[] of that size; a
     * Float or Double for 4 or 8 bytes; otherwise an integer as {@link #encode} takes it, which must fit the size
     * as a signed or an unsigned number, stored in native order.
     */
    public static byte[] encodeBySize(int size, Object value, String path) {
        if (value == null) {
            throw new BtfException(path + ": null is not a value (use 0)");
        }
        if (value instanceof byte[] raw) {
            if (raw.length != size) {
                throw new BtfException(path + ": it is " + size + " bytes, but " + raw.length + " bytes were given");
            }
            return raw.clone();
        }
        if ((value instanceof java.lang.Float || value instanceof Double) && (size == 4 || size == 8)) {
            ByteBuffer b = ByteBuffer.allocate(size).order(ORDER);
            return (size == 4 ? b.putFloat(((Number) value).floatValue())
                    : b.putDouble(((Number) value).doubleValue())).array();
        }
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new BtfException(path + ": without BTF, a " + size + "-byte value must be given as a byte[" + size
                    + "]");
        }
        long v = Encoder.integer(value, path);
        if (size < 8) {
            long min = -(1L << (size * 8 - 1));
            long max = (1L << (size * 8)) - 1;
            if (v < min || v > max) {
                throw new BtfException(path + ": " + v + " does not fit " + size + " bytes: give a value from " + min
                        + " to " + max);
            }
        }
        return writeInt(v, size);
    }

    /** Writes Java values into a byte array at offsets, type by type. */
    private record Encoder(Btf btf) {
        void write(int typeId, Object value, byte[] out, int offset, String path) {
            if (value == null) {
                throw new BtfException(path + ": null is not a value (use 0 or an empty map)");
            }
            BtfType t = btf.resolvedType(typeId);
            int size = (int) btf.sizeOf(typeId);
            if (value instanceof byte[] raw) {
                if (raw.length != size) {
                    throw new BtfException(path + ": " + btf.describe(typeId) + " is " + size + " bytes, but "
                            + raw.length + " bytes were given");
                }
                System.arraycopy(raw, 0, out, offset, size);
            } else if (t instanceof Int i) {
                // text is parsed once: the 64-bit check needs the number it names, not its 64 bits
                Object given = value instanceof String text && !i.isBool() ? parse(text, path) : value;
                long v = i.isBool() && value instanceof String text ? bool(text, path) : integer(given, path);
                checkRange(v, i.size(), i.isSigned(), i.isBool(), path);
                if (i.size() == 8 && given instanceof BigInteger n) {
                    checkRange64(n, i.isSigned(), path);
                }
                put(out, offset, writeInt(v, size));
            } else if (t instanceof EnumType e) {
                long v;
                if (value instanceof String name && !isNumber(name)) {
                    v = e.value(name.trim()).orElseThrow(() -> new BtfException(path + ": " + btf.describe(typeId)
                            + " has no enumerator '" + name + "'; its enumerators: "
                            + e.values().stream().map(EnumValue::name).collect(Collectors.joining(", ")))).value();
                } else {
                    v = integer(value, path);
                    checkRange(v, e.size(), e.signed() || v < 0, false, path);
                }
                put(out, offset, writeInt(v, size));
            } else if (t instanceof Ptr) {
                put(out, offset, writeInt(integer(value, path), 8));
            } else if (t instanceof Float f) {
                if (value instanceof String text) {
                    try {
                        value = Double.parseDouble(text.trim());
                    } catch (NumberFormatException bad) {
                        throw new BtfException(path + ": '" + text + "' is not a number: give a decimal number "
                                + "such as 1.5");
                    }
                }
                if (!(value instanceof Number n)) {
                    throw new BtfException(path + ": a " + btf.describe(typeId) + " needs a Number, not "
                            + value.getClass().getSimpleName());
                }
                ByteBuffer b = ByteBuffer.wrap(out, offset, size).order(ORDER);
                switch (f.size()) {
                    case 4 -> b.putFloat(offset, n.floatValue());
                    case 8 -> b.putDouble(offset, n.doubleValue());
                    default -> throw new BtfException(path + ": " + f.size() * 8 + "-bit floats need a byte[]");
                }
            } else if (t instanceof Array a) {
                writeArray(a, value, out, offset, path);
            } else if (t instanceof CompositeType c) {
                writeComposite(typeId, c, value, out, offset, path);
            } else {
                throw new BtfException(path + ": cannot encode a value of kind " + t.kind() + "; give a byte[]");
            }
        }

        private void writeArray(Array a, Object value, byte[] out, int offset, String path) {
            int elemSize = (int) btf.sizeOf(a.type());
            if (value instanceof String s && isCharLike(btf.resolvedType(a.type()))) {
                byte[] text = s.getBytes(StandardCharsets.UTF_8);
                if (text.length > a.nelems()) {
                    throw new BtfException(path + ": \"" + s + "\" is " + text.length + " bytes, longer than char["
                            + a.nelems() + "]");
                }
                System.arraycopy(text, 0, out, offset, text.length);
            } else if (value instanceof List<?> list) {
                if (list.size() > a.nelems()) {
                    throw new BtfException(path + ": " + list.size() + " elements given for an array of " + a.nelems());
                }
                for (int i = 0; i < list.size(); i++) {
                    write(a.type(), list.get(i), out, offset + i * elemSize, path + "[" + i + "]");
                }
            } else {
                throw new BtfException(path + ": an array needs a List" + (isCharLike(btf.resolvedType(a.type()))
                        ? " or a String" : "") + " (or a byte[]), not " + value.getClass().getSimpleName());
            }
        }

        private void writeComposite(int typeId, CompositeType c, Object value, byte[] out, int offset, String path) {
            if (value instanceof Record r) {
                value = fieldsOf(r, path);
            }
            if (!(value instanceof Map<?, ?> fields)) {
                throw new BtfException(path + ": " + btf.describe(typeId) + " needs a Map of field values (or a byte[]), not "
                        + value.getClass().getSimpleName());
            }
            for (Map.Entry<?, ?> e : fields.entrySet()) {
                String name = String.valueOf(e.getKey());
                Member m = findMember(btf, c, name, 0);
                if (m == null) {
                    throw new BtfException(path + ": " + btf.describe(typeId) + " has no field '" + name + "'; its fields: "
                            + String.join(", ", new BtfValue(btf, typeId, new byte[0]).fieldNames(c, 0)));
                }
                m = btf.layoutOf(m);
                String fieldPath = path + "." + name;
                if (m.bitfieldSize() != 0) {
                    BtfType ft = btf.resolvedType(m.type());
                    long v = ft instanceof EnumType en && e.getValue() instanceof String s
                            ? en.value(s).orElseThrow(() -> new BtfException(fieldPath + ": no enumerator '" + s + "'")).value()
                            : integer(e.getValue(), fieldPath);
                    boolean signed = ft instanceof Int i && i.isSigned() || ft instanceof EnumType en2 && en2.signed();
                    long min = signed ? -(1L << (m.bitfieldSize() - 1)) : 0;
                    long max = signed ? (1L << (m.bitfieldSize() - 1)) - 1
                            : m.bitfieldSize() >= 64 ? -1L : (1L << m.bitfieldSize()) - 1;
                    if (m.bitfieldSize() < 64 && (v < min || (max >= 0 && v > max))) {
                        throw new BtfException(fieldPath + ": " + v + " does not fit the " + m.bitfieldSize()
                                + "-bit field (" + min + ".." + max + ")");
                    }
                    writeBits(out, offset * 8L + m.bitOffset(), m.bitfieldSize(), v);
                } else {
                    write(m.type(), e.getValue(), out, offset + m.bitOffset() / 8, fieldPath);
                }
            }
        }

        /** A record's components by name, in declaration order, as a struct's field values. */
        private static Map<String, Object> fieldsOf(Record r, String path) {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            for (java.lang.reflect.RecordComponent rc : r.getClass().getRecordComponents()) {
                try {
                    java.lang.reflect.Method accessor = rc.getAccessor();
                    accessor.setAccessible(true);
                    fields.put(rc.getName(), accessor.invoke(r));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new BtfException(path + ": cannot read component '" + rc.getName() + "' of "
                            + r.getClass().getSimpleName() + " (" + e + "); make the record public or pass a Map");
                }
            }
            return fields;
        }

        private static boolean isNumber(String text) {
            return text.trim().replace("_", "").matches("-?(0[xX][0-9a-fA-F]+|[0-9]+)");
        }

        private static long bool(String text, String path) {
            return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1" -> 1;
                case "false", "0" -> 0;
                default -> throw new BtfException(path + ": '" + text + "' is not a bool: give true or false");
            };
        }

        static long integer(Object value, String path) {
            if (value instanceof String text) {
                value = parse(text, path);
            }
            if (value instanceof Boolean b) {
                return b ? 1 : 0;
            } else if (value instanceof Character ch) {
                return ch;
            } else if (value instanceof BigInteger big) {
                if (big.bitLength() > 64 || big.signum() < 0 && big.bitLength() > 63) {
                    throw new BtfException(path + ": " + big + " does not fit 64 bits");
                }
                return big.longValue();
            } else if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
                return ((Number) value).longValue();
            }
            throw new BtfException(path + ": an integer type needs a Number, Boolean, Character or numeric String, not "
                    + value.getClass().getSimpleName() + " (" + value + ")");
        }

        private static BigInteger parse(String text, String path) {
            if (!isNumber(text)) {
                throw new BtfException(path + ": '" + text + "' is not an integer: give one in decimal or 0x hex");
            }
            String digits = text.trim().replace("_", "");
            boolean negative = digits.startsWith("-");
            digits = negative ? digits.substring(1) : digits;
            BigInteger n = digits.startsWith("0x") || digits.startsWith("0X")
                    ? new BigInteger(digits.substring(2), 16) : new BigInteger(digits);
            return negative ? n.negate() : n;
        }

        /**
         * A 64-bit integer given as text or a BigInteger must be a number the type holds: its 64 bits would stand for
         * another one ({@code "-1"} for a {@code __u64} is 2^64-1, 2^64-1 for an {@code __s64} is -1). A Java
         * {@code long} is not checked here: it is taken as the 64 bits it is, the way Java carries unsigned 64-bit
         * values.
         */
        private static void checkRange64(BigInteger n, boolean signed, String path) {
            BigInteger min = signed ? BigInteger.valueOf(Long.MIN_VALUE) : BigInteger.ZERO;
            BigInteger max = signed ? BigInteger.valueOf(Long.MAX_VALUE) : BigInteger.ONE.shiftLeft(64).subtract(
                    BigInteger.ONE);
            if (n.compareTo(min) < 0 || n.compareTo(max) > 0) {
                throw new BtfException(path + ": " + n + " does not fit " + (signed ? "a signed" : "an unsigned")
                        + " 64-bit integer: give a value from " + min + " to " + max);
            }
        }

        private static void checkRange(long v, int size, boolean signed, boolean bool, String path) {
            if (bool && (v < 0 || v > 1)) {
                throw new BtfException(path + ": " + v + " is not a bool (0 or 1)");
            }
            if (size >= 8) {
                return;
            }
            int bits = size * 8;
            long min = signed ? -(1L << (bits - 1)) : 0;
            long max = signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
            if (v < min || v > max) {
                throw new BtfException(path + ": " + v + " does not fit " + (signed ? "a signed" : "an unsigned") + " "
                        + bits + "-bit integer: give a value from " + min + " to " + max);
            }
        }

        private static void put(byte[] out, int offset, byte[] value) {
            System.arraycopy(value, 0, out, offset, value.length);
        }
    }

    // ---------------------------------------------------------------- bits and bytes

    private static long readInt(byte[] b, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int idx = ORDER == ByteOrder.LITTLE_ENDIAN ? size - 1 - i : i;
            v = v << 8 | (b[idx] & 0xff);
        }
        return v;
    }

    private static byte[] writeInt(long v, int size) {
        byte[] out = new byte[size];
        for (int i = 0; i < size && i < 8; i++) {
            int idx = ORDER == ByteOrder.LITTLE_ENDIAN ? i : size - 1 - i;
            out[idx] = (byte) (v >>> (8 * i));
        }
        return out;
    }

    /** Reads {@code count} bits at bit {@code offset}, numbered the way the compiler lays out bitfields. */
    private static long readBits(byte[] b, long offset, int count, String what) {
        if (offset + count > b.length * 8L) {
            throw new BtfException(what + ": bits " + offset + ".." + (offset + count) + " lie outside the "
                    + b.length + "-byte value");
        }
        long v = 0;
        for (int i = 0; i < count; i++) {
            long bit = bitIndex(offset + i);
            if ((b[(int) (bit >>> 3)] >> (bit & 7) & 1) != 0) {
                v |= ORDER == ByteOrder.LITTLE_ENDIAN ? 1L << i : 1L << (count - 1 - i);
            }
        }
        return v;
    }

    private static void writeBits(byte[] b, long offset, int count, long v) {
        for (int i = 0; i < count; i++) {
            long bit = bitIndex(offset + i);
            boolean set = ORDER == ByteOrder.LITTLE_ENDIAN ? (v >>> i & 1) != 0 : (v >>> (count - 1 - i) & 1) != 0;
            int idx = (int) (bit >>> 3);
            int mask = 1 << (bit & 7);
            b[idx] = (byte) (set ? b[idx] | mask : b[idx] & ~mask);
        }
    }

    /** Little-endian: bit n is bit n%8 of byte n/8. Big-endian: bits are numbered from each byte's top. */
    private static long bitIndex(long n) {
        return ORDER == ByteOrder.LITTLE_ENDIAN ? n : (n & ~7L) | (7 - (n & 7));
    }

    private static void reverse(byte[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            byte t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

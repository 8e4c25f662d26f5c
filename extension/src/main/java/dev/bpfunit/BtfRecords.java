package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.btf.EnumType;
import dev.bpfunit.btf.Struct;
import dev.bpfunit.btf.Typedef;
import dev.bpfunit.btf.Union;
import dev.bpfunit.packet.Ipv4Address;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Finds BTF types by name and turns BTF-decoded structs into Java records whose components name their fields. */
final class BtfRecords {

    private BtfRecords() {
    }

    /** The id of the struct, union or typedef named {@code name}; a message listing the struct names otherwise. */
    static int typeNamed(Btf btf, String name, String where) {
        for (Class<? extends dev.bpfunit.btf.BtfType> kind : List.of(Struct.class, Union.class, Typedef.class)) {
            var id = btf.findId(name, kind);
            if (id.isPresent()) {
                return id.get();
            }
        }
        List<String> structs = new ArrayList<>();
        for (int id = 1; id < btf.typeCount() && structs.size() < 40; id++) {
            if (btf.type(id) instanceof Struct s && !s.name().isEmpty()) {
                structs.add(s.name());
            }
        }
        throw new BpfException(where + ": no struct, union or typedef named '" + name + "' in the object's BTF; "
                + "structs: " + (structs.isEmpty() ? "none" : String.join(", ", structs)) + " (clang puts in BTF only "
                + "the types of globals, map definitions and function signatures: name the struct in one, e.g. "
                + "__type(value, struct " + name + ") in the ring buffer's definition, or a non-inlined function's "
                + "parameter)");
    }

    /** The snake_case spelling of a Java name: {@code frameLen} -> {@code frame_len}, {@code DropEvent} -> {@code drop_event}. */
    static String snake(String javaName) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < javaName.length(); i++) {
            char c = javaName.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    b.append('_');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The reader of records {@code type} from values of the struct {@code typeId}: each component takes the field
     * of the same name, or of its snake_case spelling ({@code frameLen} from {@code frame_len}). Components may be
     * {@code long}, {@code int}, {@code short}, {@code byte}, {@code boolean}, {@code double}, their boxes,
     * {@code String} (a char array, or an enum's enumerator name), {@code byte[]}, {@link Ipv4Address} (a 4-byte
     * field as it lies in memory, network order) or {@link BtfValue}. Fields the record does not name are ignored.
     *
     * <p>Everything that does not depend on a value's bytes is checked here, before any value is read: that each
     * component names a field, that the field's type gives the component's type, that the canonical constructor
     * can be called. What the reader can still fail on is a value: an enum field holding no enumerator (for a
     * {@code String} component) and the record's constructor refusing its arguments.
     */
    static <R extends Record> Function<BtfValue, R> reader(Btf btf, int typeId, Class<R> type) {
        RecordComponent[] components = type.getRecordComponents();
        String[] fields = new String[components.length];
        Class<?>[] types = new Class<?>[components.length];
        // the checks run the conversions on a value of zeros: on it each fails only for its type, except an enum's
        // name (zero need not be an enumerator), whose only check of the type is that the field is an enum
        BtfValue zeros = BtfValue.decode(btf, typeId, new byte[Math.toIntExact(btf.sizeOf(typeId))]);
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            fields[i] = fieldName(zeros, c.getName(), type);
            BtfValue field = zeros.get(fields[i]);
            if (!(types[i] == String.class && isEnum(btf, field))) {
                convert(btf, zeros, field, c, type);
            }
        }
        Constructor<R> ctor;
        try {
            ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new BpfException("record " + type.getSimpleName() + ": cannot call its canonical constructor: " + e,
                    e);
        }
        return value -> {
            Object[] args = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                args[i] = convert(btf, value, value.get(fields[i]), components[i], type);
            }
            try {
                return ctor.newInstance(args);
            } catch (InvocationTargetException e) {
                throw new BpfException("record " + type.getSimpleName() + ": its constructor threw " + e.getCause(),
                        e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new BpfException("record " + type.getSimpleName() + ": cannot call its canonical constructor: "
                        + e, e);
            }
        };
    }

    /** The name of the field a component takes: its own, or its snake_case spelling. */
    private static String fieldName(BtfValue value, String name, Class<?> type) {
        try {
            value.get(name);
            return name;
        } catch (RuntimeException first) {
            String snake = snake(name);
            if (!snake.equals(name)) {
                try {
                    value.get(snake);
                    return snake;
                } catch (RuntimeException ignored) {
                    // reported below with the first name
                }
            }
            throw new BpfException("record " + type.getSimpleName() + " component '" + name + "'"
                    + (snake.equals(name) ? "" : " (or '" + snake + "')") + ": " + first.getMessage(), first);
        }
    }

    private static Object convert(Btf btf, BtfValue struct, BtfValue field, RecordComponent c, Class<?> type) {
        try {
            return convert(btf, field, c.getType());
        } catch (RuntimeException e) {
            throw new BpfException("record " + type.getSimpleName() + "." + c.getName() + " (" + c.getType()
                    .getSimpleName() + "): cannot take " + struct.typeName() + " field of type "
                    + field.typeName() + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEnum(Btf btf, BtfValue v) {
        return btf.resolvedType(v.typeId()) instanceof EnumType;
    }

    private static Object convert(Btf btf, BtfValue v, Class<?> t) {
        if (t == BtfValue.class) {
            return v;
        }
        if (t == long.class || t == Long.class) {
            return v.asLong();
        }
        if (t == int.class || t == Integer.class) {
            return (int) v.asLong();
        }
        if (t == short.class || t == Short.class) {
            return (short) v.asLong();
        }
        if (t == byte.class || t == Byte.class) {
            return (byte) v.asLong();
        }
        if (t == boolean.class || t == Boolean.class) {
            return v.asBoolean();
        }
        if (t == double.class || t == Double.class) {
            return v.asDouble();
        }
        if (t == byte[].class) {
            return v.bytes();
        }
        if (t == Ipv4Address.class) {
            byte[] b = v.bytes();
            if (b.length != 4) {
                throw new BpfException("an IPv4 address needs 4 bytes, the field has " + b.length);
            }
            return new Ipv4Address(((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
        }
        if (t == String.class) {
            return isEnum(btf, v) ? v.asEnumName() : v.asString();
        }
        throw new BpfException("unsupported component type " + t.getName() + "; use long, int, short, byte, "
                + "boolean, double, String, byte[], Ipv4Address or BtfValue");
    }
}

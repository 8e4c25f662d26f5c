package dev.bpfunit.assertj;

import dev.bpfunit.BpfMap;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfValue;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on the entries of a {@link BpfMap}, read from the kernel when the assertion runs. Keys and
 * values are given as the map's {@code encodeKey}/{@code encodeValue} take them (numbers, {@code byte[]},
 * field maps for structs), and failure messages show entries decoded by BTF like {@code bpftool map dump}.
 *
 * @param <SELF> the concrete assertion type
 */
public abstract class AbstractBpfMapAssert<SELF extends AbstractBpfMapAssert<SELF>>
        extends AbstractObjectAssert<SELF, BpfMap> {

    protected AbstractBpfMapAssert(BpfMap actual, Class<?> selfType) {
        super(actual, selfType);
    }

    /** The map holds {@code key}. */
    public SELF containsKey(Object key) {
        isNotNull();
        byte[] k = actual.encodeKey(key);
        if (actual.lookup(k).isEmpty()) {
            throwAssertionError(BpfErrors.shouldContainKey(name(), renderKey(k), actual.dump()));
        }
        return myself;
    }

    /** The map does not hold {@code key}. */
    public SELF doesNotContainKey(Object key) {
        isNotNull();
        byte[] k = actual.encodeKey(key);
        if (actual.lookup(k).isPresent()) {
            throwAssertionError(BpfErrors.shouldNotContainKey(name(), actual.render(k)));
        }
        return myself;
    }

    /** The map holds {@code value} under {@code key} (not for per-CPU maps: see {@link #hasPerCpuSum}). */
    public SELF containsEntry(Object key, Object value) {
        isNotNull();
        notPerCpu("containsEntry");
        byte[] k = actual.encodeKey(key);
        byte[] expected = actual.encodeValue(value);
        Optional<byte[]> found = actual.lookup(k);
        if (found.isEmpty()) {
            throwAssertionError(BpfErrors.shouldContainKey(name(), renderKey(k), actual.dump()));
        }
        if (!Arrays.equals(found.get(), expected)) {
            throwAssertionError(BpfErrors.shouldContainEntry(name(), renderKey(k), renderValue(expected),
                    renderValue(found.get()) + "\n" + HexDiff.render(expected, found.get())));
        }
        return myself;
    }

    /**
     * The map has {@code expected} entries: the keys the kernel iterates over (an array map always has
     * {@code max_entries}), except that a program array or array of maps counts its set slots, and a queue or stack
     * its values.
     */
    public SELF hasSize(int expected) {
        isNotNull();
        int size = actual.type() == MapType.QUEUE || actual.type() == MapType.STACK ? actual.snapshot().size()
                : actual.setSlots().size();
        if (size != expected) {
            throwAssertionError(BpfErrors.shouldHaveSize(name(), expected, size, actual.dump()));
        }
        return myself;
    }

    /** The map has no entries. */
    public SELF isEmpty() {
        return hasSize(0);
    }

    /**
     * The map holds exactly these entries, no more, no fewer (keys and values given as {@link #containsEntry} takes
     * them; not for per-CPU maps). The failure lists the missing, unexpected and different entries, decoded by BTF.
     */
    public SELF containsExactly(java.util.Map<?, ?> expected) {
        isNotNull();
        notPerCpu("containsExactly");
        java.util.Map<String, byte[]> wanted = new java.util.LinkedHashMap<>();
        java.util.Map<String, byte[]> wantedKeys = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<?, ?> e : expected.entrySet()) {
            byte[] k = actual.encodeKey(e.getKey());
            wanted.put(HexDiff.hex(k), actual.encodeValue(e.getValue()));
            wantedKeys.put(HexDiff.hex(k), k);
        }
        java.util.Map<String, byte[]> found = new java.util.LinkedHashMap<>();
        java.util.Map<String, byte[]> foundKeys = new java.util.LinkedHashMap<>();
        for (BpfMap.Entry e : actual.entries()) {
            found.put(HexDiff.hex(e.key()), e.value());
            foundKeys.put(HexDiff.hex(e.key()), e.key());
        }
        StringBuilder problems = new StringBuilder();
        wanted.forEach((hex, value) -> {
            byte[] got = found.get(hex);
            if (got == null) {
                problems.append("\n  missing:    key ").append(actual.renderKey(wantedKeys.get(hex)))
                        .append("  value ").append(actual.renderValue(value));
            } else if (!Arrays.equals(got, value)) {
                problems.append("\n  different:  key ").append(actual.renderKey(wantedKeys.get(hex)))
                        .append("\n    expected value ").append(actual.renderValue(value))
                        .append("\n    actual value   ").append(actual.renderValue(got));
            }
        });
        found.forEach((hex, value) -> {
            if (!wanted.containsKey(hex)) {
                problems.append("\n  unexpected: key ").append(actual.renderKey(foundKeys.get(hex)))
                        .append("  value ").append(actual.renderValue(value));
            }
        });
        if (problems.length() > 0) {
            throwAssertionError(new BpfErrors.Rendered("Expecting " + name() + " to contain exactly " + wanted.size()
                    + (wanted.size() == 1 ? " entry" : " entries") + ", but:" + problems + "\nthe map:\n"
                    + actual.dump()));
        }
        return myself;
    }

    /**
     * A program array (or array of maps) has exactly these slots set, and no other: {@code hasOnlySlotsSet(0)} for
     * "only slot 0 is set". A set slot reads back as the program's (or map's) id, see
     * {@link BpfMap#programIdAt(Object)}.
     */
    public SELF hasOnlySlotsSet(int... slots) {
        isNotNull();
        if (!actual.holdsFdSlots()) {
            throw new IllegalArgumentException(name() + " has no slots: hasOnlySlotsSet is for a PROG_ARRAY or "
                    + "ARRAY_OF_MAPS; use containsExactly or hasSize");
        }
        java.util.List<Integer> set = actual.setSlots().stream()
                .map(k -> java.nio.ByteBuffer.wrap(k).order(java.nio.ByteOrder.nativeOrder()).getInt()).toList();
        java.util.List<Integer> want = Arrays.stream(slots).sorted().distinct().boxed().toList();
        if (!set.equals(want)) {
            throwAssertionError(new BpfErrors.Rendered("Expecting " + name() + " to have only slot"
                    + (want.size() == 1 ? " " : "s ") + want + " set, but the set slots are " + set + ":\n"
                    + actual.dump()));
        }
        return myself;
    }

    /**
     * A queue or stack holds exactly these values, in the order it would give them (a queue's oldest first, a
     * stack's newest first). Read with {@link BpfMap#snapshot()}: every value is popped and pushed back, which is
     * not atomic (fine between test runs).
     */
    public SELF containsExactlyValues(Object... values) {
        isNotNull();
        if (actual.type() != MapType.QUEUE && actual.type() != MapType.STACK) {
            throw new IllegalArgumentException(name() + " is not a QUEUE or STACK: containsExactlyValues looks at a "
                    + "queue's or stack's values; use containsExactly(Map) for keyed maps");
        }
        java.util.List<byte[]> got = actual.snapshot();
        boolean same = got.size() == values.length;
        for (int i = 0; same && i < values.length; i++) {
            same = Arrays.equals(got.get(i), actual.encodeValue(values[i]));
        }
        if (!same) {
            StringBuilder expected = new StringBuilder();
            for (Object v : values) {
                expected.append("\n  ").append(actual.renderValue(actual.encodeValue(v)));
            }
            throwAssertionError(new BpfErrors.Rendered("Expecting " + name() + " to hold exactly, "
                    + (actual.type() == MapType.QUEUE ? "oldest" : "newest") + " first:" + (values.length == 0
                    ? " nothing" : expected.toString()) + "\nbut it holds:\n" + actual.dump()));
        }
        return myself;
    }

    /** The values of a per-CPU map under {@code key}, summed over every CPU, make {@code expected}. */
    public SELF hasPerCpuSum(Object key, long expected) {
        isNotNull();
        long sum = actual.sumPerCpu(key);
        if (sum != expected) {
            throwAssertionError(BpfErrors.shouldContainEntry(name(), renderKey(actual.encodeKey(key)),
                    "a sum over CPUs of " + expected, "a sum of " + sum + ":\n" + actual.dump()));
        }
        return myself;
    }

    /** Field {@code field} of the per-CPU values under {@code key}, summed over every CPU, makes {@code expected}. */
    public SELF hasPerCpuSum(Object key, String field, long expected) {
        isNotNull();
        long sum = actual.sumPerCpu(key, field);
        if (sum != expected) {
            throwAssertionError(BpfErrors.shouldContainEntry(name(), renderKey(actual.encodeKey(key)),
                    "." + field + " summing to " + expected + " over CPUs", "." + field + " summing to " + sum + ":\n"
                            + actual.dump()));
        }
        return myself;
    }

    /** Field {@code field} (by its BTF name) of the value under {@code key} is {@code expected}. */
    public SELF hasValueField(Object key, String field, long expected) {
        isNotNull();
        notPerCpu("hasValueField");
        BtfValue value = value(key);
        long got = value.get(field).asLong();
        if (got != expected) {
            throwAssertionError(BpfErrors.shouldContainEntry(name(), renderKey(actual.encodeKey(key)),
                    "." + field + " = " + expected, "." + field + " = " + got + " in " + value));
        }
        return myself;
    }

    /** The value under {@code key}, decoded by BTF, satisfies {@code requirements} (AssertJ assertions on it). */
    public SELF hasValueSatisfying(Object key, Consumer<BtfValue> requirements) {
        isNotNull();
        notPerCpu("hasValueSatisfying");
        BtfValue value = value(key);
        try {
            requirements.accept(value);
        } catch (AssertionError e) {
            throwAssertionError(new BpfErrors.Rendered("Expecting the value of " + name() + " under key "
                    + renderKey(actual.encodeKey(key)) + "\n  " + value + "\nto satisfy the requirements, but:\n"
                    + e.getMessage()));
        }
        return myself;
    }

    private BtfValue value(Object key) {
        byte[] k = actual.encodeKey(key);
        if (actual.lookup(k).isEmpty()) {
            throwAssertionError(BpfErrors.shouldContainKey(name(), renderKey(k), actual.dump()));
        }
        return actual.lookupValue(key).orElseThrow();
    }

    private void notPerCpu(String method) {
        if (actual.type().isPerCpu()) {
            throw new IllegalArgumentException(name() + " is per-CPU (" + actual.type() + "): " + method
                    + " compares one value; use hasPerCpuSum(key[, field], expected)");
        }
    }

    private String name() {
        return "map '" + actual.name() + "' (" + actual.type() + ")";
    }

    String renderKey(byte[] key) {
        return actual.renderKey(key) + " (" + HexDiff.hex(key) + ")";
    }

    String renderValue(byte[] value) {
        return render(value, actual.spec().btfValueTypeId());
    }

    private String render(byte[] bytes, int typeId) {
        Optional<Btf> btf = actual.btf();
        if (btf.isPresent() && typeId != 0) {
            try {
                return BtfValue.decode(btf.get(), typeId, bytes) + " (" + HexDiff.hex(bytes) + ")";
            } catch (RuntimeException e) {
                return HexDiff.hex(bytes);
            }
        }
        return HexDiff.hex(bytes);
    }
}

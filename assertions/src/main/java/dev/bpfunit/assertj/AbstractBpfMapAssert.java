package dev.bpfunit.assertj;

import dev.bpfunit.BpfMap;
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
     * The map has {@code expected} entries (keys the kernel iterates over: an array map always has
     * {@code max_entries}).
     */
    public SELF hasSize(int expected) {
        isNotNull();
        int size = actual.keys().size();
        if (size != expected) {
            throwAssertionError(BpfErrors.shouldHaveSize(name(), expected, size, actual.dump()));
        }
        return myself;
    }

    /** The map has no entries. */
    public SELF isEmpty() {
        return hasSize(0);
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
        return render(key, actual.spec().btfKeyTypeId());
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

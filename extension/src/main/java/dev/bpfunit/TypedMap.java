package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A view of a {@link BpfMap} with Java keys and values, through a key and a value {@link MapCodec}; made by
 * {@link BpfMap#typed}. Every call goes to the kernel; nothing is cached.
 *
 * <pre>{@code
 * TypedMap<Inet4Address, Long> blocklist = obj.map("blocklist").typed(MapCodec.ipv4(), MapCodec.u64());
 * blocklist.put((Inet4Address) InetAddress.getByName("10.0.0.1"), 0L);
 * }</pre>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final MapCodec<K> keys;
    private final MapCodec<V> values;

    TypedMap(BpfMap map, MapCodec<K> keys, MapCodec<V> values) {
        this.map = map;
        this.keys = keys;
        this.values = values;
        if (keys.size() >= 0 && keys.size() != map.spec().keySize()) {
            throw new BpfException("map '" + map.name() + "': its keys are " + map.spec().keySize() + " bytes, but a "
                    + keys.name() + " key codec makes " + keys.size());
        }
        if (values.size() >= 0 && values.size() != map.spec().valueSize()) {
            throw new BpfException("map '" + map.name() + "': its values are " + map.spec().valueSize()
                    + " bytes, but a " + values.name() + " value codec makes " + values.size());
        }
    }

    /** The underlying map. */
    public BpfMap map() {
        return map;
    }

    /** The value of {@code key}; for a per-CPU map use {@link #getPerCpu}. */
    public Optional<V> get(K key) {
        requireNotPerCpu("get");
        return map.lookup(keys.encode(key)).map(values::decode);
    }

    /** The value of {@code key} on each possible CPU; empty if there is no such key. */
    public List<V> getPerCpu(K key) {
        return map.lookupPerCpu(keys.encode(key)).stream().map(values::decode).toList();
    }

    /** Stores {@code value} under {@code key} (create or replace). */
    public void put(K key, V value) {
        put(key, value, BpfMap.ANY);
    }

    /** Stores with {@link BpfMap#ANY}, {@link BpfMap#NOEXIST} or {@link BpfMap#EXIST}; per-CPU: the same value on every CPU. */
    public void put(K key, V value, long flags) {
        byte[] v = values.encode(value);
        map.update(keys.encode(key), map.type().isPerCpu() ? map.perCpuValue(v) : v, flags);
    }

    /** Removes {@code key}; false if it was not there. */
    public boolean remove(K key) {
        return map.delete(keys.encode(key));
    }

    /** Every key, in the kernel's order. */
    public List<K> keys() {
        List<K> out = new ArrayList<>();
        for (byte[] k : map.keys()) {
            out.add(keys.decode(k));
        }
        return out;
    }

    /** Every entry, in the kernel's order (keys must have {@code equals}: not for {@code byte[]} keys). */
    public Map<K, V> entries() {
        requireNotPerCpu("entries");
        Map<K, V> out = new LinkedHashMap<>();
        for (BpfMap.Entry e : map.entries()) {
            out.put(keys.decode(e.key()), values.decode(e.value()));
        }
        return out;
    }

    private void requireNotPerCpu(String what) {
        if (map.type().isPerCpu()) {
            throw new BpfException("map '" + map.name() + "' is " + map.type() + ": it has one value per CPU; use "
                    + "getPerCpu(key) instead of " + what + "()");
        }
    }

    @Override
    public String toString() {
        return map + " as " + keys.name() + " -> " + values.name();
    }
}

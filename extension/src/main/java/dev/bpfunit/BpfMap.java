package dev.bpfunit;

import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.MapInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A map loaded into the kernel: read and change its entries from a test. Closed with its object. */
public final class BpfMap implements AutoCloseable {

    /** {@code BPF_ANY}: create or update. */
    public static final long ANY = 0;
    /** {@code BPF_NOEXIST}: create only. */
    public static final long NOEXIST = 1;
    /** {@code BPF_EXIST}: update only. */
    public static final long EXIST = 2;

    private final MapSpec spec;
    private final Fd fd;

    BpfMap(MapSpec spec, Fd fd) {
        this.spec = spec;
        this.fd = fd;
    }

    /** The name a test uses ({@code blocklist}, {@code .rodata}). */
    public String name() {
        return spec.name();
    }

    /** The definition it was created from (with the loader's overrides applied). */
    public MapSpec spec() {
        return spec;
    }

    /** The map type. */
    public MapType type() {
        return spec.type();
    }

    /** The kernel's file descriptor for this map. */
    public Fd fd() {
        return fd;
    }

    /** What the kernel reports about the map ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public MapInfo info() {
        return Bpf.mapInfo(fd);
    }

    /** The value stored under {@code key}, or empty when there is none. */
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        byte[] value = new byte[valueBufferSize()];
        return Bpf.mapLookupElem(fd, key, value, 0) ? Optional.of(value) : Optional.empty();
    }

    /** Stores {@code value} under {@code key} ({@link #ANY}, {@link #NOEXIST} or {@link #EXIST}). */
    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        if (value.length != valueBufferSize()) {
            throw new BpfException("map '" + name() + "': value is " + value.length + " bytes, the map's values are "
                    + valueBufferSize() + " bytes" + (spec.type().isPerCpu() ? " (one per possible CPU)" : ""));
        }
        Bpf.mapUpdateElem(fd, key, value, flags);
    }

    /** Stores {@code value} under {@code key}, creating or replacing it. */
    public void update(byte[] key, byte[] value) {
        update(key, value, ANY);
    }

    /** Removes {@code key}; false when it was not there. */
    public boolean delete(byte[] key) {
        checkKey(key);
        return Bpf.mapDeleteElem(fd, key);
    }

    /** Every key, in the kernel's iteration order. */
    public List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        byte[] previous = null;
        while (true) {
            byte[] next = new byte[spec.keySize()];
            if (!Bpf.mapGetNextKey(fd, previous, next)) {
                return keys;
            }
            keys.add(next);
            previous = next;
        }
    }

    private int valueBufferSize() {
        int size = spec.valueSize();
        if (spec.type().isPerCpu()) {
            return ((size + 7) & ~7) * dev.bpfunit.sys.SystemInfo.possibleCpuCount();
        }
        return size;
    }

    private void checkKey(byte[] key) {
        if (key.length != spec.keySize()) {
            throw new BpfException("map '" + name() + "': key is " + key.length + " bytes, the map's keys are "
                    + spec.keySize() + " bytes");
        }
    }

    /** Closes the map's file descriptor (the kernel frees the map when nothing else holds it). */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "map '" + name() + "' (" + spec.type() + ")";
    }
}

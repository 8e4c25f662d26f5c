package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.btf.Datasec;
import dev.bpfunit.btf.Var;
import dev.bpfunit.btf.VarSecinfo;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.sys.BatchResult;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.SystemInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A map loaded into the kernel: read and change its entries from a test. Closed with its object.
 *
 * <p>Keys and values are bytes in the kernel's layout; {@link #lookupValue} and {@link #updateValue} take Java
 * values and decode through the map's BTF, {@link #typed} gives a view through {@link MapCodec}s, and
 * {@link #dump()} renders every entry as text for failure messages. Values of per-CPU maps hold one slot of
 * {@code round_up(value_size, 8)} bytes per possible CPU: see {@link #lookupPerCpu}.
 */
public final class BpfMap implements AutoCloseable {

    /** {@code BPF_ANY}: create or update. */
    public static final long ANY = 0;
    /** {@code BPF_NOEXIST}: create only. */
    public static final long NOEXIST = 1;
    /** {@code BPF_EXIST}: update only. */
    public static final long EXIST = 2;

    /** Elements fetched per {@code BPF_MAP_LOOKUP_BATCH} call. */
    static final int BATCH_CHUNK = 256;

    /** One key and its value (all CPUs' slots for a per-CPU map). */
    public record Entry(byte[] key, byte[] value) {
        public Entry {
            key = key.clone();
            value = value.clone();
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Entry[key=" + HexFormat.of().formatHex(key) + ", value=" + HexFormat.of().formatHex(value) + "]";
        }
    }

    private final MapSpec spec;
    private final Fd fd;
    private final Btf btf;
    private final List<AutoCloseable> readers = new ArrayList<>();
    private RingBuffer ringBuffer;
    private PerfReader perfReader;

    BpfMap(MapSpec spec, Fd fd, Btf btf) {
        this.spec = spec;
        this.fd = fd;
        this.btf = btf;
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
    Fd fd() {
        return fd;
    }

    /**
     * The number of the kernel's file descriptor for this map, for the rare test that must hand it on: as the value
     * of a map-of-maps slot, say. It is closed with the map; do not close it yourself.
     *
     * @throws dev.bpfunit.error.BpfException once it is closed
     */
    public int rawFd() {
        return fd.raw();
    }

    /** Whether the map was closed (by {@link #close()}, its object's close, or the end of its test's scope). */
    public boolean isClosed() {
        return fd.isClosed();
    }

    /** The object's BTF, if the map's key or value is described by it. */
    public Optional<Btf> btf() {
        return btf != null && (spec.btfKeyTypeId() != 0 || spec.btfValueTypeId() != 0) ? Optional.of(btf)
                : Optional.empty();
    }

    /** The BTF of the map's object, whether or not the map itself is typed by it. */
    Optional<Btf> objectBtf() {
        return Optional.ofNullable(btf);
    }

    /** What the kernel reports about the map ({@code BPF_OBJ_GET_INFO_BY_FD}). */
    public MapInfo info() {
        return MapInfo.of(Bpf.mapInfo(fd));
    }

    // ---------------------------------------------------------------- bytes

    /** The value stored under {@code key}, or empty when there is none (per-CPU maps: every CPU's slot). */
    public Optional<byte[]> lookup(byte[] key) {
        checkKey(key);
        byte[] value = new byte[valueBufferSize()];
        return Bpf.mapLookupElem(fd, key, value, 0) ? Optional.of(value) : Optional.empty();
    }

    /** Stores {@code value} under {@code key} ({@link #ANY}, {@link #NOEXIST} or {@link #EXIST}). */
    public void update(byte[] key, byte[] value, long flags) {
        checkKey(key);
        checkValue(value);
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
        requireKeys("keys");
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

    /**
     * Every entry: with {@code BPF_MAP_LOOKUP_BATCH} where the kernel has it for this map type, else key by
     * key (an entry deleted between the two calls is left out).
     */
    public List<Entry> entries() {
        requireKeys("entries");
        Optional<List<Entry>> batched = tryLookupBatch();
        if (batched.isPresent()) {
            return batched.get();
        }
        List<Entry> out = new ArrayList<>();
        for (byte[] k : keys()) {
            lookup(k).ifPresent(v -> out.add(new Entry(k, v)));
        }
        return out;
    }

    /**
     * Takes the value of {@code key} out of the map ({@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}): for a queue or
     * stack pass an empty key (or use {@link #pop()}); hash maps support it from Linux 5.14.
     */
    public Optional<byte[]> lookupAndDelete(byte[] key) {
        byte[] k = key == null ? new byte[0] : key;
        checkKey(k);
        byte[] value = new byte[valueBufferSize()];
        return Bpf.mapLookupAndDeleteElem(fd, k.length == 0 ? null : k, value, 0) ? Optional.of(value)
                : Optional.empty();
    }

    /** Pushes a value onto a queue or stack; a full one refuses with E2BIG. */
    public void push(byte[] value) {
        requireKeyless("push");
        checkValue(value);
        Bpf.mapUpdateElem(fd, null, value, ANY);
    }

    /** Pops the next value of a queue (oldest) or stack (newest); empty when there is none. */
    public Optional<byte[]> pop() {
        requireKeyless("pop");
        return lookupAndDelete(null);
    }

    /**
     * Every value of a queue or stack, in the order {@link #pop()} would give them (a queue's oldest first, a
     * stack's newest first), leaving the map as it was. The kernel can only show the next value
     * ({@code BPF_MAP_LOOKUP_ELEM} peeks at the head), so this pops every value and pushes them back in their
     * order: it is <b>not atomic</b>. A program running at the same time (an attached one; never a test run, which
     * has returned) could see the map emptied or push in between; take snapshots between runs.
     */
    public List<byte[]> snapshot() {
        requireKeyless("snapshot");
        if (type() != MapType.QUEUE && type() != MapType.STACK) {
            throw new BpfException("map '" + name() + "' is " + type() + ": only a QUEUE or STACK has a snapshot");
        }
        List<byte[]> values = new ArrayList<>();
        for (Optional<byte[]> v = pop(); v.isPresent(); v = pop()) {
            values.add(v.get());
        }
        List<byte[]> pushBack = new ArrayList<>(values);
        if (type() == MapType.STACK) {
            java.util.Collections.reverse(pushBack);    // the deepest value goes back first
        }
        for (byte[] v : pushBack) {
            push(v);
        }
        return values;
    }

    /** The next value of a queue or stack without removing it; empty when there is none. */
    public Optional<byte[]> peek() {
        requireKeyless("peek");
        byte[] value = new byte[valueBufferSize()];
        return Bpf.mapLookupElem(fd, null, value, 0) ? Optional.of(value) : Optional.empty();
    }

    /**
     * All entries with {@code BPF_MAP_LOOKUP_BATCH}; an error naming the map type when the kernel has no
     * batch lookup for it (then use {@link #entries()}, which falls back to key-by-key lookups).
     */
    public List<Entry> lookupBatch() {
        requireKeys("lookupBatch");
        return tryLookupBatch().orElseThrow(() -> new BpfException("map '" + name() + "' (" + type()
                + "): this kernel has no BPF_MAP_LOOKUP_BATCH for the map type; use entries()"));
    }

    /**
     * Writes entries with {@code BPF_MAP_UPDATE_BATCH} (Linux 5.6), or one by one where the kernel has no
     * batch update for the map type; returns the number written.
     */
    public int updateBatch(List<byte[]> keys, List<byte[]> values, long flags) {
        requireKeys("updateBatch");
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("map '" + name() + "': " + keys.size() + " keys but " + values.size()
                    + " values");
        }
        if (keys.isEmpty()) {
            return 0;
        }
        keys.forEach(this::checkKey);
        values.forEach(this::checkValue);
        try {
            return Bpf.mapUpdateBatch(fd, concat(keys), concat(values), keys.size(), flags);
        } catch (BpfSyscallException e) {
            if (!noBatch(e)) {
                throw e;
            }
            for (int i = 0; i < keys.size(); i++) {
                Bpf.mapUpdateElem(fd, keys.get(i), values.get(i), flags);
            }
            return keys.size();
        }
    }

    /**
     * Deletes keys with {@code BPF_MAP_DELETE_BATCH}, or one by one where the kernel has no batch delete for
     * the map type; a missing key fails the batch (ENOENT). Returns the number deleted.
     */
    public int deleteBatch(List<byte[]> keys) {
        requireKeys("deleteBatch");
        if (keys.isEmpty()) {
            return 0;
        }
        keys.forEach(this::checkKey);
        try {
            return Bpf.mapDeleteBatch(fd, concat(keys), keys.size(), 0);
        } catch (BpfSyscallException e) {
            if (!noBatch(e)) {
                throw e;
            }
            int deleted = 0;
            for (byte[] k : keys) {
                deleted += Bpf.mapDeleteElem(fd, k) ? 1 : 0;
            }
            return deleted;
        }
    }

    /** Freezes the map ({@code BPF_MAP_FREEZE}): user space can no longer change it; programs still can. */
    public void freeze() {
        Bpf.mapFreeze(fd);
    }

    // ---------------------------------------------------------------- per CPU

    /**
     * The value of {@code key} on each possible CPU, in CPU order (index {@code i} is the i-th possible CPU);
     * empty when there is no such key.
     */
    public List<byte[]> lookupPerCpu(byte[] key) {
        requirePerCpu("lookupPerCpu");
        return lookup(key).map(this::splitPerCpu).orElse(List.of());
    }

    /** The per-CPU values of {@code key} decoded by BTF (see {@link #lookupValue} for the key). */
    public List<BtfValue> lookupPerCpuValues(Object key) {
        requirePerCpu("lookupPerCpuValues");
        int typeId = requireBtf(false);
        return lookupPerCpu(encodeKey(key)).stream().map(v -> BtfValue.decode(btf, typeId, v)).toList();
    }

    /** The sum over all CPUs of an integer value (1, 2, 4 or 8 bytes, unsigned below 8); 0 without the key. */
    public long sumPerCpu(Object key) {
        requirePerCpu("sumPerCpu");
        long sum = 0;
        for (byte[] v : lookupPerCpu(encodeKey(key))) {
            sum += integer(v, 0, spec.valueSize());
        }
        return sum;
    }

    /** The sum over all CPUs of one integer field of a struct value, by its BTF name ({@code "packets"}). */
    public long sumPerCpu(Object key, String field) {
        long sum = 0;
        for (BtfValue v : lookupPerCpuValues(key)) {
            sum += v.get(field).asLong();
        }
        return sum;
    }

    /** The same value in every possible CPU's slot, as a per-CPU update takes it. */
    public byte[] perCpuValue(byte[] value) {
        requirePerCpu("perCpuValue");
        if (value.length != spec.valueSize()) {
            throw new BpfException("map '" + name() + "': one CPU's value is " + spec.valueSize() + " bytes, got "
                    + value.length);
        }
        int slot = slot();
        byte[] out = new byte[valueBufferSize()];
        for (int i = 0; i < out.length / slot; i++) {
            System.arraycopy(value, 0, out, i * slot, value.length);
        }
        return out;
    }

    // ---------------------------------------------------------------- typed

    /**
     * The value of {@code key}, decoded by the map's BTF value type. The key is a {@code byte[]} in the
     * kernel's layout or a Java value encoded by the BTF key type (a number for {@code __u32}, a
     * {@code Map} of fields for a struct), or, without BTF, a number of the key's size.
     *
     * <pre>{@code long packets = stats.lookupValue(0).orElseThrow().get("packets").asLong();}</pre>
     */
    public Optional<BtfValue> lookupValue(Object key) {
        if (type().isPerCpu()) {
            throw new BpfException("map '" + name() + "' is " + type() + ": it has one value per CPU; use "
                    + "lookupPerCpuValues(key) or sumPerCpu(key, field)");
        }
        int typeId = requireBtf(false);
        return lookup(encodeKey(key)).map(v -> BtfValue.decode(btf, typeId, v));
    }

    /**
     * Stores a Java value (encoded by the BTF value type: numbers, enumerator names, {@code Map}s of fields)
     * under a key given as for {@link #lookupValue}; per-CPU maps get the value on every CPU.
     */
    public void updateValue(Object key, Object value, long flags) {
        byte[] v = encodeValue(value);
        update(encodeKey(key), type().isPerCpu() ? perCpuValue(v) : v, flags);
    }

    /** {@link #updateValue(Object, Object, long)} with {@link #ANY}. */
    public void updateValue(Object key, Object value) {
        updateValue(key, value, ANY);
    }

    /**
     * A view of a queue or stack with Java values through {@code valueCodec}: {@code push}, {@code pop},
     * {@code peek}, {@code snapshot}.
     */
    public <V> TypedMap<byte[], V> typed(MapCodec<V> valueCodec) {
        requireKeyless("typed(valueCodec)");
        return new TypedMap<>(this, MapCodec.bytes(), valueCodec);
    }

    /** A view with Java keys and values through two codecs. */
    public <K, V> TypedMap<K, V> typed(MapCodec<K> keyCodec, MapCodec<V> valueCodec) {
        return new TypedMap<>(this, keyCodec, valueCodec);
    }

    /** The bytes of a key given as a {@code byte[]}, a Java value of the BTF key type, or a number. */
    public byte[] encodeKey(Object key) {
        if (spec.keySize() == 0) {
            throw new BpfException("map '" + name() + "' (" + type() + ") has no keys");
        }
        return encode(key, spec.btfKeyTypeId(), spec.keySize(), "key");
    }

    /** The bytes of one value (one CPU's, for per-CPU maps) given like a key. */
    public byte[] encodeValue(Object value) {
        return encode(value, spec.btfValueTypeId(), spec.valueSize(), "value");
    }

    private byte[] encode(Object v, int typeId, int size, String what) {
        if (v instanceof byte[] raw) {
            if (raw.length != size) {
                throw new BpfException("map '" + name() + "': " + what + " is " + raw.length + " bytes, the map's "
                        + what + "s are " + size + " bytes");
            }
            return raw.clone();
        }
        if (btf != null && typeId != 0) {
            return BtfValue.encode(btf, typeId, v, "map '" + name() + "' " + what + " (" + btf.describe(typeId) + ")");
        }
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new BpfException("map '" + name() + "' has no BTF type for its " + what + "s (" + size + " bytes): "
                    + "pass a byte[" + size + "], or use typed(codec, codec)");
        }
        return BtfValue.encodeBySize(size, v, "map '" + name() + "' " + what + " (" + size + " bytes, no BTF)");
    }

    // ---------------------------------------------------------------- text

    /** One entry as text, {@code key: ... value: ...}, decoded by BTF where the map has it, else hex. */
    public String render(byte[] key) {
        checkKey(key);
        Optional<byte[]> value = lookup(key);
        return "key: " + renderKey(key) + "  value: " + value.map(this::renderValue).orElse("<none>");
    }

    /**
     * Every entry as text, one per line, like {@code bpftool map dump}: keys and values decoded by BTF
     * (fields by name) where the map has it, else as hex bytes; per-CPU values per CPU.
     */
    public String dump() {
        StringBuilder b = new StringBuilder();
        b.append("map '").append(name()).append("' (").append(type().name().toLowerCase(java.util.Locale.ROOT))
                .append(")");
        if (type() == MapType.QUEUE || type() == MapType.STACK) {
            List<byte[]> values = snapshot();
            b.append(", ").append(values.size()).append(values.size() == 1 ? " value" : " values")
                    .append(values.isEmpty() ? "" : type() == MapType.QUEUE ? ", oldest first" : ", newest first");
            for (byte[] v : values) {
                b.append("\n  value: ").append(renderValue(v));
            }
            return b.toString();
        }
        if (spec.keySize() == 0) {
            return b.append(": no keys (").append(type()).append(")").toString();
        }
        List<Entry> entries = entries();
        b.append(", ").append(entries.size()).append(entries.size() == 1 ? " entry" : " entries");
        for (Entry e : entries) {
            b.append("\n  key: ").append(renderKey(e.key())).append("  value: ").append(renderValue(e.value()));
        }
        return b.toString();
    }

    /** A key as text: through {@link #renderKeysAs} if set, else decoded by BTF, else hex. */
    public String renderKey(byte[] key) {
        if (keyFormat != null) {
            try {
                return String.valueOf(keyFormat.apply(key));
            } catch (RuntimeException e) {
                return hex(key) + " (not a " + keyFormatName + ": " + e.getMessage() + ")";
            }
        }
        return render(key, spec.btfKeyTypeId());
    }

    private volatile java.util.function.Function<byte[], ?> keyFormat;
    private volatile String keyFormatName;

    /**
     * Renders this map's keys through {@code codec} in {@link #dump()}, {@link #render(byte[])} and the assertion
     * messages built on them, instead of by BTF: {@code blocklist.renderKeysAs(MapCodec.ipv4())} prints a
     * {@code __u32} address key as {@code 10.0.0.66} rather than {@code 150994954}. Returns this map.
     */
    public BpfMap renderKeysAs(MapCodec<?> codec) {
        java.util.Objects.requireNonNull(codec, "codec");
        if (codec.size() >= 0 && codec.size() != spec.keySize()) {
            throw new BpfException("map '" + name() + "': its keys are " + spec.keySize() + " bytes, a " + codec.name()
                    + " is " + codec.size());
        }
        this.keyFormatName = codec.name();
        this.keyFormat = bytes -> {
            Object v = codec.decode(bytes);
            return v instanceof java.net.InetAddress a ? a.getHostAddress() : v;
        };
        return this;
    }

    /** A value as text: a prog array's as {@code prog id N}, else decoded by BTF (per CPU), else hex. */
    public String renderValue(byte[] value) {
        if (type() == MapType.PROG_ARRAY && value.length == 4) {
            return "prog id " + Integer.toUnsignedString(ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt());
        }
        if (!type().isPerCpu()) {
            return render(value, spec.btfValueTypeId());
        }
        StringBuilder b = new StringBuilder();
        int[] cpus = SystemInfo.possibleCpus();
        List<byte[]> slots = splitPerCpu(value);
        for (int i = 0; i < slots.size(); i++) {
            b.append(i == 0 ? "" : ", ").append("cpu").append(cpus[i]).append(": ")
                    .append(render(slots.get(i), spec.btfValueTypeId()));
        }
        return "[" + b + "]";
    }

    private String render(byte[] bytes, int typeId) {
        if (btf != null && typeId != 0 && btf.type(typeId) instanceof Datasec section) {
            return renderSection(bytes, section);
        }
        if (btf != null && typeId != 0) {
            try {
                return BtfValue.decode(btf, typeId, bytes).toString();
            } catch (RuntimeException e) {
                return hex(bytes) + " (undecodable as " + btf.describe(typeId) + ": " + e.getMessage() + ")";
            }
        }
        return hex(bytes);
    }

    /** A global data section's value, variable by variable ({@code {filter_pid = 1234, ...}}). */
    private String renderSection(byte[] bytes, Datasec section) {
        StringBuilder b = new StringBuilder("{");
        for (VarSecinfo v : section.vars()) {
            String name = btf.type(v.type()) instanceof Var var ? var.name() : "#" + v.type();
            int varType = btf.type(v.type()) instanceof Var var ? var.type() : v.type();
            byte[] part = v.offset() + v.size() <= bytes.length
                    ? Arrays.copyOfRange(bytes, v.offset(), v.offset() + v.size()) : new byte[0];
            b.append(b.length() == 1 ? "" : ", ").append(name).append(" = ").append(render(part, varType));
        }
        return b.append('}').toString();
    }

    static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < bytes.length; i++) {
            b.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- map-in-map, prog arrays

    /** The id of the map stored under {@code key} of a map-in-map, if any. */
    public Optional<Integer> innerMapId(Object key) {
        if (!type().isMapInMap()) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a map of maps");
        }
        return lookup(encodeKey(key)).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /** Stores {@code inner} under {@code key} of a map-in-map (it must match the inner map template). */
    public void setInnerMap(Object key, BpfMap inner) {
        if (!type().isMapInMap()) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a map of maps");
        }
        try (Fd.Use use = inner.fd().use()) {
            update(encodeKey(key), ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(use.raw()).array());
        }
    }

    /**
     * The id of the program in slot {@code key} of a {@code PROG_ARRAY}, if the slot is set. A program array is
     * written with program fds but reads back with program ids ({@code BpfProgram#info().id()}): the kernel keeps
     * the program, not the fd, so its slots look up as ids.
     */
    public Optional<Integer> programIdAt(Object key) {
        if (type() != MapType.PROG_ARRAY) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a PROG_ARRAY");
        }
        return lookup(encodeKey(key)).map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /**
     * The keys that hold a value. For a {@code PROG_ARRAY} or {@code ARRAY_OF_MAPS} these are the set slots (the kernel iterates over every index up to {@code max_entries}, and an empty slot looks
     * up as {@code ENOENT}); for any other map, every key.
     */
    public List<byte[]> setSlots() {
        List<byte[]> out = new ArrayList<>();
        for (byte[] k : keys()) {
            if (!holdsFdSlots() || lookup(k).isPresent()) {
                out.add(k);
            }
        }
        return out;
    }

    /** Whether this is a program array or array of maps, whose every index iterates but only set slots look up. */
    public boolean holdsFdSlots() {
        return type() == MapType.PROG_ARRAY || type() == MapType.ARRAY_OF_MAPS;
    }

    /** Stores {@code program} under {@code key} of a {@code PROG_ARRAY} (a tail call target). */
    public void setProgram(Object key, BpfProgram program) {
        if (type() != MapType.PROG_ARRAY) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a PROG_ARRAY");
        }
        try (Fd.Use use = program.fd().use()) {
            update(encodeKey(key), ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(use.raw()).array());
        }
    }

    // ---------------------------------------------------------------- event readers

    /** The reader of this {@code RINGBUF} map (one per map, closed with it). */
    public synchronized RingBuffer ringBuffer() {
        if (type() != MapType.RINGBUF) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a RINGBUF"
                    + (type() == MapType.PERF_EVENT_ARRAY ? ": use perfReader()" : ""));
        }
        if (ringBuffer == null) {
            ringBuffer = new RingBuffer(this);
            readers.add(ringBuffer);
        }
        return ringBuffer;
    }

    /**
     * The reader of this {@code PERF_EVENT_ARRAY}: opens a BPF output event on every online possible CPU and
     * stores it in the CPU's slot, so {@code bpf_perf_event_output(..., BPF_F_CURRENT_CPU, ...)} succeeds.
     * One per map, closed with it.
     */
    public synchronized PerfReader perfReader() {
        if (type() != MapType.PERF_EVENT_ARRAY) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a PERF_EVENT_ARRAY"
                    + (type() == MapType.RINGBUF ? ": use ringBuffer()" : ""));
        }
        if (perfReader == null) {
            perfReader = new PerfReader(this, PerfReader.DEFAULT_PAGES);
            readers.add(perfReader);
        }
        return perfReader;
    }

    /** Closes the ring buffer and perf readers of this map, before programs and maps are closed. */
    synchronized void closeReaders() {
        List<AutoCloseable> all = new ArrayList<>(readers);
        readers.clear();
        ringBuffer = null;
        perfReader = null;
        Closeables.closeAll(all);
    }

    // ---------------------------------------------------------------- checks

    int valueBufferSize() {
        int size = spec.valueSize();
        if (spec.type().isPerCpu()) {
            return slot() * SystemInfo.possibleCpuCount();
        }
        return size;
    }

    private int slot() {
        return (spec.valueSize() + 7) & ~7;
    }

    private List<byte[]> splitPerCpu(byte[] all) {
        int slot = slot();
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off + slot <= all.length; off += slot) {
            out.add(Arrays.copyOfRange(all, off, off + spec.valueSize()));
        }
        return out;
    }

    static long integer(byte[] v, int offset, int size) {
        ByteBuffer b = ByteBuffer.wrap(v).order(ByteOrder.nativeOrder());
        return switch (size) {
            case 1 -> v[offset] & 0xffL;
            case 2 -> b.getShort(offset) & 0xffffL;
            case 4 -> b.getInt(offset) & 0xffff_ffffL;
            case 8 -> b.getLong(offset);
            default -> throw new BpfException("a " + size + "-byte value is not an integer: sum a field by name "
                    + "with sumPerCpu(key, field)");
        };
    }

    private int requireBtf(boolean key) {
        int typeId = key ? spec.btfKeyTypeId() : spec.btfValueTypeId();
        if (btf == null || typeId == 0) {
            throw new BpfException("map '" + name() + "' has no BTF type for its " + (key ? "keys" : "values")
                    + " (a legacy or Aya map definition, or BTF was refused): read bytes with lookup(key), or give "
                    + "codecs with typed(MapCodec.u32(), MapCodec.u64())");
        }
        return typeId;
    }

    private void requirePerCpu(String what) {
        if (!type().isPerCpu()) {
            throw new BpfException("map '" + name() + "' is " + type() + ", not a per-CPU map: " + what
                    + " is for PERCPU_HASH, PERCPU_ARRAY and LRU_PERCPU_HASH maps");
        }
    }

    private void requireKeyless(String what) {
        if (type() != MapType.QUEUE && type() != MapType.STACK && !(what.equals("push")
                && type() == MapType.BLOOM_FILTER)) {
            throw new BpfException("map '" + name() + "' is " + type() + ": " + what + " is for QUEUE and STACK maps"
                    + (what.equals("push") ? " (and BLOOM_FILTER)" : ""));
        }
    }

    private void requireKeys(String what) {
        if (spec.keySize() == 0) {
            throw new BpfException("map '" + name() + "' is " + type() + ", which has no keys: " + what
                    + " needs keys" + (type() == MapType.QUEUE || type() == MapType.STACK ? "; use pop() or peek()"
                    : type() == MapType.RINGBUF ? "; read it with ringBuffer()" : ""));
        }
    }

    private void checkKey(byte[] key) {
        int have = key == null ? 0 : key.length;
        if (have != spec.keySize()) {
            throw new BpfException("map '" + name() + "': key is " + have + " bytes, the map's keys are "
                    + spec.keySize() + " bytes");
        }
    }

    private void checkValue(byte[] value) {
        if (value == null || value.length != valueBufferSize()) {
            throw new BpfException("map '" + name() + "': value is " + (value == null ? "null" : value.length
                    + " bytes") + ", the map's values are " + valueBufferSize() + " bytes" + (spec.type().isPerCpu()
                    ? " (round_up(" + spec.valueSize() + ", 8) for each of " + SystemInfo.possibleCpuCount()
                    + " possible CPUs; make one with perCpuValue(value))" : ""));
        }
    }

    private Optional<List<Entry>> tryLookupBatch() {
        int keySize = spec.keySize();
        int valueSize = valueBufferSize();
        List<Entry> out = new ArrayList<>();
        // Each element is read from the kernel's buffers into these and copied once, by Entry's constructor.
        byte[] key = new byte[keySize];
        byte[] value = new byte[valueSize];
        Bpf.BatchElements toEntries = (count, keys, values) -> {
            for (int i = 0; i < count; i++) {
                keys.get(i * keySize, key);
                values.get(i * valueSize, value);
                out.add(new Entry(key, value));
            }
        };
        byte[] token = null;
        try {
            while (true) {
                BatchResult r = Bpf.mapLookupBatch(fd, token, BATCH_CHUNK, 0, toEntries);
                if (r.done()) {
                    return Optional.of(out);
                }
                token = r.nextBatch();
            }
        } catch (BpfSyscallException e) {
            if (noBatch(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The kernel has no batch operation for this map type ({@code ENOTSUPP}). */
    private static boolean noBatch(BpfSyscallException e) {
        return e.errno() == Errno.ENOTSUPP || e.errno() == Errno.EOPNOTSUPP;
    }

    private static byte[] concat(List<byte[]> parts) {
        int total = parts.stream().mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(total);
        parts.forEach(b::put);
        return b.array();
    }

    /** Closes its readers, then the map's file descriptor (the kernel frees the map when nothing else holds it). */
    @Override
    public void close() {
        try {
            closeReaders();
        } finally {
            fd.close();
        }
    }

    @Override
    public String toString() {
        return "map '" + name() + "' (" + spec.type() + ")";
    }
}

package dev.bpfunit.spec;

import dev.bpfunit.error.BpfException;

import java.util.Locale;

/**
 * Estimates the kernel memory a map will take before it is created, and refuses maps past a limit, so that a
 * size from an object or a test ({@code max_entries}, a {@code .bss}) cannot make the kernel exhaust the machine.
 *
 * <p>The estimate follows what the kernel charges for a full map ({@code memlock} in {@code /proc/<pid>/fdinfo}):
 * values rounded up to 8 bytes, one copy per possible CPU for per-CPU types, the element header and buckets of
 * hash maps. It is an upper bound for a full map, not an exact figure.
 */
public final class MapMemory {

    /**
     * The system property (and JUnit configuration parameter) giving the largest estimated map, in bytes or with
     * a {@code k}, {@code m} or {@code g} suffix ({@code 2g}); the loader option
     * {@code BpfObjectLoader.mapMemoryLimit(bytes)} overrides it for one load.
     */
    public static final String LIMIT_PROPERTY = "bpfunit.map.memory.limit";
    /** The most the default limit allows: 1 GiB (the default is also at most a quarter of the machine's RAM). */
    public static final long DEFAULT_LIMIT_CAP = 1L << 30;
    /**
     * The largest global data section ({@code .data}, {@code .rodata}, {@code .bss}, {@code .kconfig}) an object
     * may declare: 64 MiB. It is read (and, for {@code .bss}, allocated) before any option applies; real programs'
     * globals are kilobytes, and kernels before 6.x refuse array values past KMALLOC_MAX_SIZE (4 MiB) anyway.
     */
    public static final long MAX_GLOBAL_DATA = 64L << 20;
    /** The kernel's limit on a per-CPU value, rounded up to 8 bytes ({@code PCPU_MIN_UNIT_SIZE}, 32 KiB). */
    public static final int MAX_PERCPU_VALUE = 32 * 1024;
    /** The kernel's limit on an array value ({@code value_size > INT_MAX} is E2BIG). */
    public static final long MAX_ARRAY_VALUE = Integer.MAX_VALUE;

    /** {@code sizeof(struct bpf_array)} and other fixed headers, roughly. */
    private static final long MAP_HEADER = 512;
    /** {@code sizeof(struct htab_elem)} without the key and value: list node, hash, and a pointer. */
    private static final long HTAB_ELEM = 48;
    /** {@code sizeof(struct bucket)}. */
    private static final long BUCKET = 16;
    private static final long PAGE = 4096;

    private MapMemory() {
    }

    /**
     * The kernel memory a full map of this shape takes, in bytes; per-CPU values count once per possible CPU.
     * Sizes are read as the kernel's unsigned 32-bit fields, so nothing overflows.
     */
    public static long estimate(MapSpec m, int possibleCpus) {
        long entries = Integer.toUnsignedLong(m.maxEntries());
        long key = round8(Integer.toUnsignedLong(m.keySize()));
        long value = round8(Integer.toUnsignedLong(m.valueSize()));
        long cpus = Math.max(1, possibleCpus);
        long perCpuValues = mul(mul(entries, value), cpus);
        long inner = m.innerMap() == null ? 0 : estimate(m.innerMap(), possibleCpus);
        long total = switch (m.type()) {
            case ARRAY -> (m.flags() & MapSpec.BPF_F_MMAPABLE) != 0
                    ? sum(roundPage(MAP_HEADER), roundPage(mul(entries, value))) : sum(MAP_HEADER, mul(entries, value));
            case PERCPU_ARRAY -> sum(MAP_HEADER, mul(entries, 8), perCpuValues);
            case PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY, ARRAY_OF_MAPS, DEVMAP, XSKMAP, CPUMAP, SOCKMAP,
                 REUSEPORT_SOCKARRAY -> sum(MAP_HEADER, mul(entries, 8 + value));
            case HASH, LRU_HASH, HASH_OF_MAPS, SOCKHASH, DEVMAP_HASH, LPM_TRIE ->
                    sum(MAP_HEADER, mul(entries, HTAB_ELEM + key + value), mul(buckets(entries), BUCKET));
            case PERCPU_HASH, LRU_PERCPU_HASH ->
                    sum(MAP_HEADER, mul(entries, HTAB_ELEM + key + 8), mul(buckets(entries), BUCKET), perCpuValues);
            case RINGBUF, USER_RINGBUF -> sum(MAP_HEADER, 2 * entries); // max_entries is the data size, mapped twice
            case ARENA -> mul(entries, PAGE);                      // max_entries is a page count
            case QUEUE, STACK -> sum(MAP_HEADER, mul(entries + 1, value));
            case STACK_TRACE -> sum(MAP_HEADER, mul(entries, 8 + 32 + value));
            case BLOOM_FILTER -> sum(MAP_HEADER, mul(entries, 8));   // at most a few bits per entry, rounded up
            // Storage maps hold one value per owner (socket, task, cgroup, inode), created as programs run.
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE, SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE,
                 STRUCT_OPS, UNSPEC -> sum(MAP_HEADER, mul(value, m.type() == MapType.PERCPU_CGROUP_STORAGE ? cpus : 1));
        };
        return sum(total, inner);
    }

    /**
     * Refuses a map whose estimate is over {@code limit}, before it is created.
     *
     * @param howToRaise the setting that raises the limit, for the message
     * @throws BpfException naming the map, its shape, the estimate, the limit and the setting
     */
    public static void check(MapSpec m, int possibleCpus, long limit, String howToRaise) {
        long estimate = estimate(m, possibleCpus);
        if (Long.compareUnsigned(estimate, limit) > 0) {
            throw new BpfException("map '" + m.name() + "' (" + m.type().name().toLowerCase(Locale.ROOT) + ", key "
                    + Integer.toUnsignedString(m.keySize()) + "B, value " + Integer.toUnsignedString(m.valueSize())
                    + "B, max_entries " + Integer.toUnsignedString(m.maxEntries())
                    + (m.type().isPerCpu() ? ", " + possibleCpus + " possible CPUs" : "") + ") would take about "
                    + human(estimate) + " of kernel memory, over the limit of " + human(limit)
                    + ": lower its max_entries, or raise the limit with " + howToRaise);
        }
        if (m.type().isPerCpu() && m.type() != MapType.PERCPU_CGROUP_STORAGE
                && round8(Integer.toUnsignedLong(m.valueSize())) > MAX_PERCPU_VALUE) {
            throw new BpfException("map '" + m.name() + "': a per-CPU value of " + Integer.toUnsignedString(
                    m.valueSize()) + " bytes is over the kernel's limit of " + MAX_PERCPU_VALUE
                    + " bytes (PCPU_MIN_UNIT_SIZE): make the value smaller");
        }
    }

    /**
     * Checks a global data section's size (from the object) before anything is allocated for it.
     *
     * @throws BpfException if it is larger than {@link #MAX_GLOBAL_DATA}
     */
    public static void checkGlobalData(String section, long size) {
        if (size < 0 || size > MAX_GLOBAL_DATA) {
            throw new BpfException("section " + section + " declares " + Long.toUnsignedString(size) + " bytes of "
                    + "global data, over bpfunit's limit of " + human(MAX_GLOBAL_DATA) + " for one global data map: "
                    + "the object is corrupt, or use a map (an array with max_entries) for large buffers");
        }
    }

    /** The default limit: a quarter of the machine's RAM, at most {@link #DEFAULT_LIMIT_CAP}. */
    public static long defaultLimit(long totalRamBytes) {
        return totalRamBytes <= 0 ? DEFAULT_LIMIT_CAP : Math.min(DEFAULT_LIMIT_CAP, totalRamBytes / 4);
    }

    /**
     * Parses a size: bytes, or a number with a {@code k}, {@code m} or {@code g} suffix (powers of 1024).
     *
     * @throws IllegalArgumentException if it is not a positive size
     */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size: give bytes or a number with k, m or g "
                    + "(e.g. 2g)", e);
        }
        if (n <= 0 || n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("'" + text + "' is not a positive size");
        }
        return n * unit;
    }

    /** A size for messages: {@code 16.0 GiB (17179869184 bytes)}. */
    static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", v, units[u], bytes);
    }

    private static long buckets(long entries) {
        long n = Long.highestOneBit(Math.max(1, entries));
        return n < entries ? n << 1 : n;
    }

    private static long round8(long n) {
        return (n + 7) & ~7L;
    }

    private static long roundPage(long n) {
        return sat((n + PAGE - 1) / PAGE * PAGE);
    }

    private static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    /** Adds non-negative sizes, saturating at Long.MAX_VALUE. */
    private static long sum(long... parts) {
        long total = 0;
        for (long p : parts) {
            total += p;
            if (total < 0) {
                return Long.MAX_VALUE;
            }
        }
        return total;
    }

    private static long sat(long n) {
        return n < 0 ? Long.MAX_VALUE : n;
    }
}

package dev.bpfunit.sys;

/**
 * The {@code struct perf_event_attr} of {@code perf_event_open(2)}: by default a BPF output event (the
 * software event {@code PERF_COUNT_SW_BPF_OUTPUT} with raw samples, which a program writes with
 * {@code bpf_perf_event_output} into the slot of a {@code PERF_EVENT_ARRAY} holding the event's fd); the
 * factories make the events BPF programs attach to (tracepoints, kprobe/uprobe PMU events, software events).
 */
public final class PerfEventAttr extends Attr {
    static final int TYPE = 0;            // type
    static final int ATTR_SIZE = 4;       // size
    static final int CONFIG = 8;          // config
    static final int SAMPLE_PERIOD = 16;  // sample_period (union with sample_freq)
    static final int SAMPLE_TYPE = 24;    // sample_type
    static final int FLAGS = 40;          // the bitfield word: disabled, inherit, ..., watermark
    static final int WAKEUP_EVENTS = 48;  // wakeup_events (union with wakeup_watermark)
    static final int CONFIG1 = 56;        // config1 (union with bp_addr, kprobe_func, uprobe_path)
    static final int CONFIG2 = 64;        // config2 (union with bp_len, kprobe_addr, probe_offset)
    /** {@code PERF_ATTR_SIZE_VER5}: ends after sample_max_stack and its padding. */
    static final int SIZE = 112;

    /** {@code PERF_TYPE_SOFTWARE}. */
    public static final int PERF_TYPE_SOFTWARE = 1;
    /** {@code PERF_COUNT_SW_BPF_OUTPUT}. */
    public static final int PERF_COUNT_SW_BPF_OUTPUT = 10;
    /** {@code PERF_TYPE_TRACEPOINT}: {@code config} is a tracepoint id from tracefs. */
    public static final int PERF_TYPE_TRACEPOINT = 2;
    /** {@code PERF_COUNT_SW_CPU_CLOCK}. */
    public static final int PERF_COUNT_SW_CPU_CLOCK = 0;
    /** {@code PERF_SAMPLE_RAW}. */
    public static final long PERF_SAMPLE_RAW = 1L << 10;
    /** The {@code freq} bit of the flags word: {@code sample_freq} instead of {@code sample_period}. */
    static final long FLAG_FREQ = 1L << 10;

    /** A BPF output event sampling every write (sample_period 1), waking up on each. */
    public PerfEventAttr() {
        super(SIZE);
        u32(TYPE, PERF_TYPE_SOFTWARE);
        u32(ATTR_SIZE, SIZE);
        u64(CONFIG, PERF_COUNT_SW_BPF_OUTPUT);
        u64(SAMPLE_PERIOD, 1);
        u64(SAMPLE_TYPE, PERF_SAMPLE_RAW);
        u32(WAKEUP_EVENTS, 1);
    }

    private PerfEventAttr(int type, long config) {
        super(SIZE);
        u32(TYPE, type);
        u32(ATTR_SIZE, SIZE);
        u64(CONFIG, config);
    }

    /** A tracepoint event: {@code id} from {@code events/<category>/<name>/id} in tracefs; every hit is a sample. */
    public static PerfEventAttr tracepoint(long id) {
        PerfEventAttr a = new PerfEventAttr(PERF_TYPE_TRACEPOINT, id);
        a.u64(SAMPLE_PERIOD, 1);
        return a;
    }

    /**
     * A probe of a dynamic PMU ({@code kprobe} or {@code uprobe} under {@code /sys/bus/event_source/devices}):
     * {@code config} carries the retprobe bit, {@code config1} points at the function name (kprobe) or binary path
     * (uprobe), {@code config2} is the offset (from the function, or in the file).
     */
    public static PerfEventAttr probe(int pmuType, long config, String nameOrPath, long offset) {
        PerfEventAttr a = new PerfEventAttr(pmuType, config);
        a.u64(SAMPLE_PERIOD, 1);
        a.pointer(CONFIG1, nameOrPath == null ? null : cString(nameOrPath));
        a.u64(CONFIG2, offset);
        return a;
    }

    /**
     * A sampling event of {@code type}/{@code config} (e.g. {@link #PERF_TYPE_SOFTWARE}/{@link
     * #PERF_COUNT_SW_CPU_CLOCK}): a sample every {@code period} events, or {@code period} times a second when
     * {@code frequency}.
     */
    public static PerfEventAttr sampling(int type, long config, long period, boolean frequency) {
        if (period <= 0) {
            throw new IllegalArgumentException("sample period/frequency must be positive, got " + period);
        }
        PerfEventAttr a = new PerfEventAttr(type, config);
        a.u64(SAMPLE_PERIOD, period);
        if (frequency) {
            a.u64(FLAGS, FLAG_FREQ);
        }
        return a;
    }
}

package dev.bpfunit.sys;

/**
 * The {@code struct perf_event_attr} of {@code perf_event_open(2)} for a BPF output event: the
 * software event {@code PERF_COUNT_SW_BPF_OUTPUT} with raw samples, which a program writes with
 * {@code bpf_perf_event_output} into the slot of a {@code PERF_EVENT_ARRAY} holding the event's fd.
 */
public final class PerfEventAttr extends Attr {
    static final int TYPE = 0;            // type
    static final int ATTR_SIZE = 4;       // size
    static final int CONFIG = 8;          // config
    static final int SAMPLE_PERIOD = 16;  // sample_period (union with sample_freq)
    static final int SAMPLE_TYPE = 24;    // sample_type
    static final int FLAGS = 40;          // the bitfield word: disabled, inherit, ..., watermark
    static final int WAKEUP_EVENTS = 48;  // wakeup_events (union with wakeup_watermark)
    /** {@code PERF_ATTR_SIZE_VER5}: ends after sample_max_stack and its padding. */
    static final int SIZE = 112;

    /** {@code PERF_TYPE_SOFTWARE}. */
    public static final int PERF_TYPE_SOFTWARE = 1;
    /** {@code PERF_COUNT_SW_BPF_OUTPUT}. */
    public static final int PERF_COUNT_SW_BPF_OUTPUT = 10;
    /** {@code PERF_SAMPLE_RAW}. */
    public static final long PERF_SAMPLE_RAW = 1L << 10;

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
}

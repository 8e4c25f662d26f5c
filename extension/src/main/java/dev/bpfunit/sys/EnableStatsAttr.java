package dev.bpfunit.sys;

/** The attributes of {@code BPF_ENABLE_STATS}: which statistics to turn on while the returned fd is open. */
final class EnableStatsAttr extends Attr {
    static final int TYPE = 0;  // enable_stats.type
    /** Ends after enable_stats.type. */
    static final int SIZE = 4;
    /** {@code BPF_STATS_RUN_TIME}: run_cnt and run_time_ns of every program. */
    static final int BPF_STATS_RUN_TIME = 0;

    EnableStatsAttr(int type) {
        super(SIZE);
        u32(TYPE, type);
    }
}

package dev.bpfunit.sys;

/**
 * The numeric constants of {@code include/uapi/linux/bpf.h} that callers of {@link Bpf} pass: map and
 * program types, update and map flags, test-run flags, verifier log levels, and the facts about map types the
 * syscall layer itself needs (per-CPU values, array indexing).
 *
 * <p>This is the one home of these numbers: {@code spec.MapType} and {@code spec.ProgramType} take theirs from
 * here and add what a type can do; nothing else writes them again.
 */
public final class BpfConstants {
    // Flags of BPF_MAP_UPDATE_ELEM / BPF_MAP_LOOKUP_ELEM (and their batch forms' elem_flags).
    /** Create a new element or update an existing one. */
    public static final long BPF_ANY = 0;
    /** Create a new element only if it did not exist. */
    public static final long BPF_NOEXIST = 1;
    /** Update an existing element only. */
    public static final long BPF_EXIST = 2;
    /** Take the value's bpf_spin_lock while copying it. */
    public static final long BPF_F_LOCK = 4;

    // map_flags of BPF_MAP_CREATE.
    public static final int BPF_F_NO_PREALLOC = 1;
    public static final int BPF_F_NO_COMMON_LRU = 1 << 1;
    public static final int BPF_F_NUMA_NODE = 1 << 2;
    public static final int BPF_F_RDONLY = 1 << 3;
    public static final int BPF_F_WRONLY = 1 << 4;
    public static final int BPF_F_ZERO_SEED = 1 << 6;
    public static final int BPF_F_RDONLY_PROG = 1 << 7;
    public static final int BPF_F_WRONLY_PROG = 1 << 8;
    public static final int BPF_F_MMAPABLE = 1 << 10;
    public static final int BPF_F_PRESERVE_ELEMS = 1 << 11;
    public static final int BPF_F_INNER_MAP = 1 << 12;

    // flags of BPF_PROG_TEST_RUN.
    /** Run on the CPU given in {@code cpu} (raw tracepoint programs). */
    public static final int BPF_F_TEST_RUN_ON_CPU = 1;
    /** XDP live-frame mode: redirected and transmitted frames really leave (Linux 5.18). */
    public static final int BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
    /** skb test runs: compute CHECKSUM_COMPLETE before the run and check it after (Linux 5.19). */
    public static final int BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2;

    // log_level of BPF_PROG_LOAD / BPF_BTF_LOAD.
    public static final int BPF_LOG_LEVEL1 = 1;
    public static final int BPF_LOG_LEVEL2 = 2;
    public static final int BPF_LOG_STATS = 4;

    /** Length of {@code map_name} / {@code prog_name}, NUL included. */
    public static final int BPF_OBJ_NAME_LEN = 16;

    // enum bpf_map_type
    public static final int BPF_MAP_TYPE_UNSPEC = 0;
    public static final int BPF_MAP_TYPE_HASH = 1;
    public static final int BPF_MAP_TYPE_ARRAY = 2;
    public static final int BPF_MAP_TYPE_PROG_ARRAY = 3;
    public static final int BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
    public static final int BPF_MAP_TYPE_PERCPU_HASH = 5;
    public static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    public static final int BPF_MAP_TYPE_STACK_TRACE = 7;
    public static final int BPF_MAP_TYPE_CGROUP_ARRAY = 8;
    public static final int BPF_MAP_TYPE_LRU_HASH = 9;
    public static final int BPF_MAP_TYPE_LRU_PERCPU_HASH = 10;
    public static final int BPF_MAP_TYPE_LPM_TRIE = 11;
    public static final int BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
    public static final int BPF_MAP_TYPE_HASH_OF_MAPS = 13;
    public static final int BPF_MAP_TYPE_DEVMAP = 14;
    public static final int BPF_MAP_TYPE_SOCKMAP = 15;
    public static final int BPF_MAP_TYPE_CPUMAP = 16;
    public static final int BPF_MAP_TYPE_XSKMAP = 17;
    public static final int BPF_MAP_TYPE_SOCKHASH = 18;
    public static final int BPF_MAP_TYPE_CGROUP_STORAGE = 19;
    public static final int BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20;
    public static final int BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21;
    public static final int BPF_MAP_TYPE_QUEUE = 22;
    public static final int BPF_MAP_TYPE_STACK = 23;
    public static final int BPF_MAP_TYPE_SK_STORAGE = 24;
    public static final int BPF_MAP_TYPE_DEVMAP_HASH = 25;
    public static final int BPF_MAP_TYPE_STRUCT_OPS = 26;
    public static final int BPF_MAP_TYPE_RINGBUF = 27;
    public static final int BPF_MAP_TYPE_INODE_STORAGE = 28;
    public static final int BPF_MAP_TYPE_TASK_STORAGE = 29;
    public static final int BPF_MAP_TYPE_BLOOM_FILTER = 30;
    public static final int BPF_MAP_TYPE_USER_RINGBUF = 31;
    public static final int BPF_MAP_TYPE_CGRP_STORAGE = 32;
    public static final int BPF_MAP_TYPE_ARENA = 33;

    // enum bpf_prog_type
    public static final int BPF_PROG_TYPE_UNSPEC = 0;
    public static final int BPF_PROG_TYPE_SOCKET_FILTER = 1;
    public static final int BPF_PROG_TYPE_KPROBE = 2;
    public static final int BPF_PROG_TYPE_SCHED_CLS = 3;
    public static final int BPF_PROG_TYPE_SCHED_ACT = 4;
    public static final int BPF_PROG_TYPE_TRACEPOINT = 5;
    public static final int BPF_PROG_TYPE_XDP = 6;
    public static final int BPF_PROG_TYPE_PERF_EVENT = 7;
    public static final int BPF_PROG_TYPE_CGROUP_SKB = 8;
    public static final int BPF_PROG_TYPE_CGROUP_SOCK = 9;
    public static final int BPF_PROG_TYPE_LWT_IN = 10;
    public static final int BPF_PROG_TYPE_LWT_OUT = 11;
    public static final int BPF_PROG_TYPE_LWT_XMIT = 12;
    public static final int BPF_PROG_TYPE_SOCK_OPS = 13;
    public static final int BPF_PROG_TYPE_SK_SKB = 14;
    public static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
    public static final int BPF_PROG_TYPE_SK_MSG = 16;
    public static final int BPF_PROG_TYPE_RAW_TRACEPOINT = 17;
    public static final int BPF_PROG_TYPE_CGROUP_SOCK_ADDR = 18;
    public static final int BPF_PROG_TYPE_LWT_SEG6LOCAL = 19;
    public static final int BPF_PROG_TYPE_LIRC_MODE2 = 20;
    public static final int BPF_PROG_TYPE_SK_REUSEPORT = 21;
    public static final int BPF_PROG_TYPE_FLOW_DISSECTOR = 22;
    public static final int BPF_PROG_TYPE_CGROUP_SYSCTL = 23;
    public static final int BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24;
    public static final int BPF_PROG_TYPE_CGROUP_SOCKOPT = 25;
    public static final int BPF_PROG_TYPE_TRACING = 26;
    public static final int BPF_PROG_TYPE_STRUCT_OPS = 27;
    public static final int BPF_PROG_TYPE_EXT = 28;
    public static final int BPF_PROG_TYPE_LSM = 29;
    public static final int BPF_PROG_TYPE_SK_LOOKUP = 30;
    public static final int BPF_PROG_TYPE_SYSCALL = 31;
    public static final int BPF_PROG_TYPE_NETFILTER = 32;

    private BpfConstants() {
    }

    /**
     * Whether each value of a map of this type is stored once per possible CPU, so that user space reads and
     * writes {@code round_up(value_size, 8)} bytes per CPU. {@code spec.MapType.isPerCpu()} asks this.
     */
    public static boolean isPerCpuMap(int mapType) {
        return mapType == BPF_MAP_TYPE_PERCPU_HASH || mapType == BPF_MAP_TYPE_PERCPU_ARRAY
                || mapType == BPF_MAP_TYPE_LRU_PERCPU_HASH || mapType == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
    }

    /**
     * Whether a map of this type is indexed by a {@code u32} below {@code max_entries} (arrays and their
     * kin), so that an update beyond it is an index out of range rather than a full map.
     */
    public static boolean isArrayLike(int mapType) {
        switch (mapType) {
            case BPF_MAP_TYPE_ARRAY:
            case BPF_MAP_TYPE_PROG_ARRAY:
            case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
            case BPF_MAP_TYPE_PERCPU_ARRAY:
            case BPF_MAP_TYPE_CGROUP_ARRAY:
            case BPF_MAP_TYPE_ARRAY_OF_MAPS:
            case BPF_MAP_TYPE_DEVMAP:
            case BPF_MAP_TYPE_CPUMAP:
            case BPF_MAP_TYPE_XSKMAP:
            case BPF_MAP_TYPE_REUSEPORT_SOCKARRAY:
            case BPF_MAP_TYPE_SOCKMAP:
                return true;
            default:
                return false;
        }
    }
}

package dev.bpfunit.spec;

import java.util.Arrays;
import java.util.Optional;

/** The kernel's map types ({@code enum bpf_map_type}), with their numbers. */
public enum MapType {
    UNSPEC(0), HASH(1), ARRAY(2), PROG_ARRAY(3), PERF_EVENT_ARRAY(4), PERCPU_HASH(5), PERCPU_ARRAY(6),
    STACK_TRACE(7), CGROUP_ARRAY(8), LRU_HASH(9), LRU_PERCPU_HASH(10), LPM_TRIE(11), ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13), DEVMAP(14), SOCKMAP(15), CPUMAP(16), XSKMAP(17), SOCKHASH(18), CGROUP_STORAGE(19),
    REUSEPORT_SOCKARRAY(20), PERCPU_CGROUP_STORAGE(21), QUEUE(22), STACK(23), SK_STORAGE(24),
    DEVMAP_HASH(25), STRUCT_OPS(26), RINGBUF(27), INODE_STORAGE(28), TASK_STORAGE(29), BLOOM_FILTER(30),
    USER_RINGBUF(31), CGRP_STORAGE(32), ARENA(33);

    private final int number;

    MapType(int number) {
        this.number = number;
    }

    /** The value of {@code enum bpf_map_type}. */
    public int number() {
        return number;
    }

    /** The type with this kernel number, if bpfunit knows it. */
    public static Optional<MapType> of(int number) {
        return Arrays.stream(values()).filter(t -> t.number == number).findFirst();
    }

    /** Whether each value is stored once per possible CPU. */
    public boolean isPerCpu() {
        return this == PERCPU_HASH || this == PERCPU_ARRAY || this == LRU_PERCPU_HASH
                || this == PERCPU_CGROUP_STORAGE;
    }

    /** Whether values of this map are references to other maps. */
    public boolean isMapInMap() {
        return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
    }

    /** Whether this map has no keys (queue, stack, bloom filter) or no key/value at all (ring buffers). */
    public boolean isKeyless() {
        return this == QUEUE || this == STACK || this == BLOOM_FILTER || this == RINGBUF || this == USER_RINGBUF;
    }

    /** Whether a definition may leave key and value sizes to the kernel's defaults (ring buffers, perf arrays). */
    public boolean isSizedByKernel() {
        return this == RINGBUF || this == USER_RINGBUF;
    }
}

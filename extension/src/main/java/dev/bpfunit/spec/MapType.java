package dev.bpfunit.spec;

import dev.bpfunit.sys.BpfConstants;
import java.util.Arrays;
import java.util.Optional;

/** The kernel's map types ({@code enum bpf_map_type}): their numbers (from {@code sys.BpfConstants}) and what each can do. */
public enum MapType {
    UNSPEC(BpfConstants.BPF_MAP_TYPE_UNSPEC),
    HASH(BpfConstants.BPF_MAP_TYPE_HASH),
    ARRAY(BpfConstants.BPF_MAP_TYPE_ARRAY),
    PROG_ARRAY(BpfConstants.BPF_MAP_TYPE_PROG_ARRAY),
    PERF_EVENT_ARRAY(BpfConstants.BPF_MAP_TYPE_PERF_EVENT_ARRAY),
    PERCPU_HASH(BpfConstants.BPF_MAP_TYPE_PERCPU_HASH),
    PERCPU_ARRAY(BpfConstants.BPF_MAP_TYPE_PERCPU_ARRAY),
    STACK_TRACE(BpfConstants.BPF_MAP_TYPE_STACK_TRACE),
    CGROUP_ARRAY(BpfConstants.BPF_MAP_TYPE_CGROUP_ARRAY),
    LRU_HASH(BpfConstants.BPF_MAP_TYPE_LRU_HASH),
    LRU_PERCPU_HASH(BpfConstants.BPF_MAP_TYPE_LRU_PERCPU_HASH),
    LPM_TRIE(BpfConstants.BPF_MAP_TYPE_LPM_TRIE),
    ARRAY_OF_MAPS(BpfConstants.BPF_MAP_TYPE_ARRAY_OF_MAPS),
    HASH_OF_MAPS(BpfConstants.BPF_MAP_TYPE_HASH_OF_MAPS),
    DEVMAP(BpfConstants.BPF_MAP_TYPE_DEVMAP),
    SOCKMAP(BpfConstants.BPF_MAP_TYPE_SOCKMAP),
    CPUMAP(BpfConstants.BPF_MAP_TYPE_CPUMAP),
    XSKMAP(BpfConstants.BPF_MAP_TYPE_XSKMAP),
    SOCKHASH(BpfConstants.BPF_MAP_TYPE_SOCKHASH),
    CGROUP_STORAGE(BpfConstants.BPF_MAP_TYPE_CGROUP_STORAGE),
    REUSEPORT_SOCKARRAY(BpfConstants.BPF_MAP_TYPE_REUSEPORT_SOCKARRAY),
    PERCPU_CGROUP_STORAGE(BpfConstants.BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE),
    QUEUE(BpfConstants.BPF_MAP_TYPE_QUEUE),
    STACK(BpfConstants.BPF_MAP_TYPE_STACK),
    SK_STORAGE(BpfConstants.BPF_MAP_TYPE_SK_STORAGE),
    DEVMAP_HASH(BpfConstants.BPF_MAP_TYPE_DEVMAP_HASH),
    STRUCT_OPS(BpfConstants.BPF_MAP_TYPE_STRUCT_OPS),
    RINGBUF(BpfConstants.BPF_MAP_TYPE_RINGBUF),
    INODE_STORAGE(BpfConstants.BPF_MAP_TYPE_INODE_STORAGE),
    TASK_STORAGE(BpfConstants.BPF_MAP_TYPE_TASK_STORAGE),
    BLOOM_FILTER(BpfConstants.BPF_MAP_TYPE_BLOOM_FILTER),
    USER_RINGBUF(BpfConstants.BPF_MAP_TYPE_USER_RINGBUF),
    CGRP_STORAGE(BpfConstants.BPF_MAP_TYPE_CGRP_STORAGE),
    ARENA(BpfConstants.BPF_MAP_TYPE_ARENA);

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
        return BpfConstants.isPerCpuMap(number);
    }

    /** Whether keys are u32 indices below {@code max_entries} (arrays and their kin). */
    public boolean isArrayLike() {
        return BpfConstants.isArrayLike(number);
    }

    /** Whether values of this map are references to other maps. */
    public boolean isMapInMap() {
        return this == ARRAY_OF_MAPS || this == HASH_OF_MAPS;
    }

    /** Whether this map has no keys (queue, stack, bloom filter) or no key/value at all (ring buffers). */
    public boolean isKeyless() {
        return this == QUEUE || this == STACK || this == BLOOM_FILTER || isRingBuffer();
    }

    /**
     * Whether the kernel sizes the map by what it is attached to and requires {@code max_entries} 0: the local
     * storages (socket, inode, task, cgroup) and the cgroup storages of {@code bpf_get_local_storage()}.
     */
    public boolean takesNoMaxEntries() {
        return this == SK_STORAGE || this == INODE_STORAGE || this == TASK_STORAGE || this == CGRP_STORAGE
                || this == CGROUP_STORAGE || this == PERCPU_CGROUP_STORAGE;
    }

    /**
     * Whether this is a ring buffer (kernel-to-user or user-to-kernel): no key or value, and {@code max_entries} is
     * the data size in bytes, a power-of-2 multiple of the page size.
     */
    public boolean isRingBuffer() {
        return this == RINGBUF || this == USER_RINGBUF;
    }

    /** Whether a definition may leave key and value sizes to the kernel's defaults: {@link #isRingBuffer()}. */
    public boolean isSizedByKernel() {
        return isRingBuffer();
    }
}

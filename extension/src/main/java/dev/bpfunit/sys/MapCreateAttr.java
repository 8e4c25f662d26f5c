package dev.bpfunit.sys;

/**
 * The attributes of {@code BPF_MAP_CREATE}: what {@link Bpf#mapCreate} asks the kernel to create.
 *
 * <p>Fluent setters write straight into a zeroed {@code bpf_attr}; a field never set stays 0, which
 * the kernel reads as "none" or "default". Fds given here stay referenced until this object is
 * unreachable, so they cannot be closed by the garbage collector before the call.
 */
public final class MapCreateAttr extends Attr {
    static final int MAP_TYPE = 0;                    // map_type
    static final int KEY_SIZE = 4;                    // key_size
    static final int VALUE_SIZE = 8;                  // value_size
    static final int MAX_ENTRIES = 12;                // max_entries
    static final int MAP_FLAGS = 16;                  // map_flags
    static final int INNER_MAP_FD = 20;               // inner_map_fd
    static final int NUMA_NODE = 24;                  // numa_node
    static final int MAP_NAME = 28;                   // map_name[BPF_OBJ_NAME_LEN]
    static final int MAP_IFINDEX = 44;                // map_ifindex
    static final int BTF_FD = 48;                     // btf_fd
    static final int BTF_KEY_TYPE_ID = 52;            // btf_key_type_id
    static final int BTF_VALUE_TYPE_ID = 56;          // btf_value_type_id
    static final int BTF_VMLINUX_VALUE_TYPE_ID = 60;  // btf_vmlinux_value_type_id
    static final int MAP_EXTRA = 64;                  // map_extra (u64)
    static final int VALUE_TYPE_BTF_OBJ_FD = 72;      // value_type_btf_obj_fd
    /** Ends after map_token_fd (offset 76), the last field before the 6.18 signing fields. */
    static final int SIZE = 80;

    private String name = "";

    public MapCreateAttr() {
        super(SIZE);
    }

    /** {@code map_type}: one of {@code BpfConstants.BPF_MAP_TYPE_*}. */
    public MapCreateAttr mapType(int type) {
        u32(MAP_TYPE, type);
        return this;
    }

    /** {@code key_size} in bytes (0 for queues, stacks and bloom filters). */
    public MapCreateAttr keySize(int size) {
        requireNonNegative("keySize", size);
        u32(KEY_SIZE, size);
        return this;
    }

    /** {@code value_size} in bytes. */
    public MapCreateAttr valueSize(int size) {
        requireNonNegative("valueSize", size);
        u32(VALUE_SIZE, size);
        return this;
    }

    /** {@code max_entries}. */
    public MapCreateAttr maxEntries(int entries) {
        u32(MAX_ENTRIES, entries);
        return this;
    }

    /** {@code map_flags}: {@code BpfConstants.BPF_F_*}. */
    public MapCreateAttr mapFlags(int flags) {
        u32(MAP_FLAGS, flags);
        return this;
    }

    /** {@code inner_map_fd}: the template map of an array or hash of maps. */
    public MapCreateAttr innerMapFd(Fd inner) {
        fd(INNER_MAP_FD, inner);
        return this;
    }

    /** {@code numa_node}; the kernel reads it only with {@code BPF_F_NUMA_NODE} in the flags. */
    public MapCreateAttr numaNode(int node) {
        u32(NUMA_NODE, node);
        return this;
    }

    /**
     * {@code map_name}: the kernel keeps at most 15 characters of {@code [A-Za-z0-9_.]}; others are
     * dropped, the rest cut. {@link #name()} keeps the name as given, for messages.
     */
    public MapCreateAttr mapName(String name) {
        this.name = name == null ? "" : name;
        objName(MAP_NAME, this.name);
        return this;
    }

    /** {@code map_ifindex}: the device to offload the map to (0: none). */
    public MapCreateAttr mapIfindex(int ifindex) {
        u32(MAP_IFINDEX, ifindex);
        return this;
    }

    /** {@code btf_fd}: the BTF that describes key and value. */
    public MapCreateAttr btfFd(Fd btf) {
        fd(BTF_FD, btf);
        return this;
    }

    /** {@code btf_key_type_id}. */
    public MapCreateAttr btfKeyTypeId(int id) {
        u32(BTF_KEY_TYPE_ID, id);
        return this;
    }

    /** {@code btf_value_type_id}. */
    public MapCreateAttr btfValueTypeId(int id) {
        u32(BTF_VALUE_TYPE_ID, id);
        return this;
    }

    /** {@code btf_vmlinux_value_type_id}: kernel type of a struct_ops map's value. */
    public MapCreateAttr btfVmlinuxValueTypeId(int id) {
        u32(BTF_VMLINUX_VALUE_TYPE_ID, id);
        return this;
    }

    /** {@code map_extra}: per type, e.g. the number of hash functions of a bloom filter. */
    public MapCreateAttr mapExtra(long extra) {
        u64(MAP_EXTRA, extra);
        return this;
    }

    /** {@code value_type_btf_obj_fd}: the module BTF holding the vmlinux value type (Linux 6.9). */
    public MapCreateAttr valueTypeBtfObjFd(Fd btf) {
        fd(VALUE_TYPE_BTF_OBJ_FD, btf);
        return this;
    }

    /** The map's name as given to {@link #mapName}, {@code ""} if none. */
    public String name() {
        return name;
    }

    /** The name as the kernel stores it (see {@link #mapName}). */
    public String kernelName() {
        return kernelName(name);
    }

    int mapType() {
        return u32(MAP_TYPE);
    }
}

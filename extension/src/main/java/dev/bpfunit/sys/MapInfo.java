package dev.bpfunit.sys;

import com.sun.jna.Pointer;

/**
 * What the kernel says about a map ({@code struct bpf_map_info} from {@code BPF_OBJ_GET_INFO_BY_FD}).
 *
 * @param type the {@code BPF_MAP_TYPE_*}
 * @param id the map's system-wide id
 * @param keySize key size in bytes
 * @param valueSize value size in bytes (per CPU for per-CPU maps)
 * @param maxEntries {@code max_entries}
 * @param flags {@code map_flags}
 * @param name the name as the kernel stores it (at most 15 characters)
 * @param ifindex the device the map is offloaded to, 0 if none
 * @param btfId id of the BTF describing key and value, 0 if none
 * @param btfKeyTypeId BTF type id of the key
 * @param btfValueTypeId BTF type id of the value
 * @param mapExtra {@code map_extra}
 */
public record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name,
        int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }


    static final int TYPE = 0;                 // type
    static final int ID = 4;                   // id
    static final int KEY_SIZE = 8;             // key_size
    static final int VALUE_SIZE = 12;          // value_size
    static final int MAX_ENTRIES = 16;         // max_entries
    static final int MAP_FLAGS = 20;           // map_flags
    static final int NAME = 24;                // name[BPF_OBJ_NAME_LEN]
    static final int IFINDEX = 40;             // ifindex
    static final int BTF_ID = 64;              // btf_id
    static final int BTF_KEY_TYPE_ID = 68;     // btf_key_type_id
    static final int BTF_VALUE_TYPE_ID = 72;   // btf_value_type_id
    static final int MAP_EXTRA = 80;           // map_extra (u64)
    /** Ends after map_extra; the 6.18 hash fields are not asked for. */
    static final int SIZE = 88;

    static MapInfo read(Pointer p) {
        return new MapInfo(p.getInt(TYPE), p.getInt(ID), p.getInt(KEY_SIZE), p.getInt(VALUE_SIZE),
                p.getInt(MAX_ENTRIES), p.getInt(MAP_FLAGS), objName(p, NAME), p.getInt(IFINDEX), p.getInt(BTF_ID),
                p.getInt(BTF_KEY_TYPE_ID), p.getInt(BTF_VALUE_TYPE_ID), p.getLong(MAP_EXTRA));
    }

    /** Whether values of this map are per CPU (one slot of round_up(value_size, 8) bytes per CPU). */
    public boolean isPerCpu() {
        return BpfConstants.isPerCpuMap(type);
    }

    /**
     * The bytes a lookup or update value buffer must have from user space: {@link #valueSize()}, or
     * for a per-CPU map {@code round_up(value_size, 8)} times the possible CPUs.
     */
    public long userValueSize() {
        if (!isPerCpu()) {
            return Integer.toUnsignedLong(valueSize);
        }
        long slot = (Integer.toUnsignedLong(valueSize) + 7) & ~7L;
        return slot * SystemInfo.possibleCpuCount();
    }

    static String objName(Pointer p, long offset) {
        byte[] raw = p.getByteArray(offset, BpfConstants.BPF_OBJ_NAME_LEN);
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, java.nio.charset.StandardCharsets.US_ASCII);
    }
}

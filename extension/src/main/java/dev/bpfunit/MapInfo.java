package dev.bpfunit;

import dev.bpfunit.spec.MapType;

/**
 * What the kernel reports about a created map, as {@code bpftool map show} lists it: id, type, name, key and value
 * sizes, {@code max_entries}, flags and the BTF that types it.
 *
 * @param id the map's system-wide id
 * @param typeNumber the {@code BPF_MAP_TYPE_*} number (see {@link #type()})
 * @param name the name as the kernel keeps it (15 characters at most: {@code xdp_fw.rodata} for {@code .rodata})
 * @param keySize key size in bytes
 * @param valueSize value size in bytes (per CPU for per-CPU maps)
 * @param maxEntries {@code max_entries} (for a ring buffer, its size in bytes)
 * @param flags {@code map_flags}, such as {@code BPF_F_MMAPABLE} or {@code BPF_F_RDONLY_PROG}
 * @param ifindex the device the map is offloaded to, 0 if none
 * @param btfId id of the BTF describing key and value, 0 if none
 * @param btfKeyTypeId BTF type id of the key, 0 if none
 * @param btfValueTypeId BTF type id of the value, 0 if none
 * @param mapExtra {@code map_extra} (a bloom filter's number of hash functions, an arena's address)
 */
public record MapInfo(int id, int typeNumber, String name, int keySize, int valueSize, int maxEntries, int flags,
                      int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId, long mapExtra) {

    static MapInfo of(dev.bpfunit.sys.MapInfo i) {
        return new MapInfo(i.id(), i.type(), i.name(), i.keySize(), i.valueSize(), i.maxEntries(), i.flags(),
                i.ifindex(), i.btfId(), i.btfKeyTypeId(), i.btfValueTypeId(), i.mapExtra());
    }

    /** The map type; {@code UNSPEC} for a number this bpfunit does not know. */
    public MapType type() {
        return MapType.of(typeNumber).orElse(MapType.UNSPEC);
    }
}

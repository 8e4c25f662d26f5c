package dev.bpfunit.spec;

import dev.bpfunit.sys.BpfConstants;
import java.util.List;
import java.util.Objects;

/**
 * A map as the ELF object defines it, before any kernel is involved.
 *
 * @param name           the name a test uses: the ELF symbol, or the section for global data ({@code .rodata})
 * @param kernelName     the name given to the kernel (at most 15 characters, as libbpf makes it)
 * @param kind           where the definition came from
 * @param type           the map type
 * @param keySize        key size in bytes
 * @param valueSize      value size in bytes
 * @param maxEntries     maximum number of entries; 0 when the definition leaves it to the loader
 * @param flags          {@code map_flags}
 * @param numaNode       {@code numa_node}
 * @param pinning        {@code pinning} (0 none, 1 by name); recorded, not acted on unless asked
 * @param mapExtra       {@code map_extra}
 * @param btfKeyTypeId   BTF type id of the key, 0 if the key was given only by size
 * @param btfValueTypeId BTF type id of the value, 0 if given only by size
 * @param innerMap       the template of the inner map for map-in-map types, else {@code null}
 * @param initialValues  static {@code .values} entries (programs for a prog array, maps for map-in-map)
 * @param contents       the initial value of a global data map (a copy), else {@code null}
 * @param freeze         whether the map is frozen after it is filled ({@code .rodata})
 */
public record MapSpec(String name, String kernelName, MapKind kind, MapType type, int keySize, int valueSize,
                      int maxEntries, int flags, int numaNode, int pinning, long mapExtra, int btfKeyTypeId,
                      int btfValueTypeId, MapSpec innerMap, List<InitialValue> initialValues, byte[] contents,
                      boolean freeze) {

    /** {@code BPF_F_RDONLY_PROG}: programs may only read the map (the number's home is {@code sys.BpfConstants}). */
    public static final int BPF_F_RDONLY_PROG = BpfConstants.BPF_F_RDONLY_PROG;
    /** {@code BPF_F_MMAPABLE}: the array can be mapped into user memory (home: {@code sys.BpfConstants}). */
    public static final int BPF_F_MMAPABLE = BpfConstants.BPF_F_MMAPABLE;

    /** One static initial value: the program or map stored at an index. */
    public record InitialValue(int index, String target) {
    }

    public MapSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        initialValues = List.copyOf(initialValues);
        contents = contents == null ? null : contents.clone();
    }

    @Override
    public byte[] contents() {
        return contents == null ? null : contents.clone();
    }

    /** A copy with another {@code max_entries}. */
    public MapSpec withMaxEntries(int n) {
        return new MapSpec(name, kernelName, kind, type, keySize, valueSize, n, flags, numaNode, pinning, mapExtra,
                btfKeyTypeId, btfValueTypeId, innerMap, initialValues, contents, freeze);
    }

    /** A copy with other initial contents (global data). */
    public MapSpec withContents(byte[] newContents) {
        return new MapSpec(name, kernelName, kind, type, keySize, valueSize, maxEntries, flags, numaNode, pinning,
                mapExtra, btfKeyTypeId, btfValueTypeId, innerMap, initialValues, newContents, freeze);
    }

    /** A copy with these static {@code .values} entries. */
    public MapSpec withInitialValues(List<InitialValue> values) {
        return new MapSpec(name, kernelName, kind, type, keySize, valueSize, maxEntries, flags, numaNode, pinning,
                mapExtra, btfKeyTypeId, btfValueTypeId, innerMap, values, contents, freeze);
    }

    /** A copy without BTF key and value types, for kernels or map types that refuse them. */
    public MapSpec withoutBtfTypes() {
        return new MapSpec(name, kernelName, kind, type, keySize, valueSize, maxEntries, flags, numaNode, pinning,
                mapExtra, 0, 0, innerMap, initialValues, contents, freeze);
    }

    /** A one-line description like {@code bpftool map show}: type, sizes, entries, flags. */
    public String describe() {
        return String.format("%s %s key %dB value %dB max_entries %d flags 0x%x", name,
                type.name().toLowerCase(java.util.Locale.ROOT), keySize, valueSize, maxEntries, flags);
    }
}

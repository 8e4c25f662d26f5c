package dev.bpfunit.elf;

import dev.bpfunit.rawelf.Elf;
import dev.bpfunit.sys.BpfConstants;
import dev.bpfunit.rawelf.ElfFile;
import dev.bpfunit.rawelf.ElfSection;
import dev.bpfunit.rawelf.ElfSymbol;
import dev.bpfunit.rawelf.ElfRelocation;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Array;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfLinkage;
import dev.bpfunit.btf.BtfType;
import dev.bpfunit.btf.Datasec;
import dev.bpfunit.btf.FuncProto;
import dev.bpfunit.btf.Member;
import dev.bpfunit.btf.Ptr;
import dev.bpfunit.btf.Struct;
import dev.bpfunit.btf.Var;
import dev.bpfunit.btf.VarSecinfo;
import dev.bpfunit.spec.MapKind;
import dev.bpfunit.spec.MapMemory;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.spec.VariableSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Turns the map definitions and global data sections of an ELF object into {@link MapSpec}s. */
final class MapReader {

    private static final int LEGACY_DEF_MIN = 20;
    /** The name of the map holding the {@code __kconfig} externs, as libbpf names it. */
    static final String KCONFIG = ".kconfig";

    private final ElfFile elf;
    private final Btf btf;
    private final String objectName;
    private final List<MapSpec> maps = new ArrayList<>();
    private final List<VariableSpec> variables = new ArrayList<>();
    /** Bytes of global data read so far, bounded as a whole. */
    private long globalData;

    MapReader(ElfFile elf, Btf btf, String objectName) {
        this.elf = elf;
        this.btf = btf;
        this.objectName = objectName;
        elf.section(".maps").ifPresent(this::readBtfMaps);
        elf.section("maps").ifPresent(this::readLegacyMaps);
        for (ElfSection s : elf.sections()) {
            if (isDataSection(s.name()) && s.size() > 0) {
                readDataSection(s);
            }
        }
        readKconfig();
    }

    List<MapSpec> maps() {
        return maps;
    }

    List<VariableSpec> variables() {
        return variables;
    }

    /** Whether an ELF section holds global data that becomes a one-entry array map. */
    static boolean isDataSection(String name) {
        return name.equals(".data") || name.equals(".rodata") || name.equals(".bss")
                || name.startsWith(".data.") || name.startsWith(".rodata.") || name.startsWith(".bss.");
    }

    // ---- BTF-defined maps (.maps) ----

    private void readBtfMaps(ElfSection section) {
        if (btf == null) {
            throw new BpfException("section .maps holds BTF-defined maps but the object has no .BTF section: "
                    + "compile with clang -g");
        }
        int datasecId = btf.findId(".maps", Datasec.class).orElseThrow(() -> new BpfException(
                "section .maps has no DATASEC '.maps' in BTF: was the object stripped of BTF?"));
        Datasec datasec = (Datasec) btf.type(datasecId);
        List<ElfRelocation> relocations = elf.relocations(section);
        for (VarSecinfo vsi : datasec.vars()) {
            if (!(btf.type(vsi.type()) instanceof Var var)) {
                throw new BpfException("DATASEC .maps entry " + vsi.type() + " is not a VAR");
            }
            maps.add(btfMap(var.name(), var.type(), false)
                    .withInitialValues(staticValues(var.name(), var.type(), vsi, relocations)));
        }
    }

    /** Aya wraps a definition twice (the map type's tuple field {@code __0}, then {@code UnsafeCell}'s {@code value}). */
    private static final int MAX_WRAPPERS = 4;

    /**
     * The struct that holds a map's definition fields, and its bit offset in the variable: the declared struct
     * itself (libbpf's {@code __uint}/{@code __type} fields), or, for Aya's BTF maps, the struct found by going down
     * single-member wrappers whose one member is itself a struct ({@code MAP { __0: UnsafeCell { value: def } }}).
     * A libbpf field is always a pointer or an array, so a wrapper is never mistaken for a definition.
     */
    record Definition(Struct struct, long bitOffset, String path) {
    }

    Definition definition(String name, int typeId) {
        int defId = btf.resolve(typeId);
        if (!(btf.type(defId) instanceof Struct def)) {
            throw new BpfException("map '" + name + "': definition is " + btf.describe(typeId)
                    + ", not a struct: define it as struct { __uint(type, ...); ... } " + name + " SEC(\".maps\")");
        }
        long offset = 0;
        StringBuilder path = new StringBuilder(name);
        for (int depth = 0; def.members().size() == 1; depth++) {
            Member only = def.members().get(0);
            if (!(btf.type(btf.resolve(only.type())) instanceof Struct inner)) {
                break;
            }
            if (depth == MAX_WRAPPERS) {
                throw new BpfException("map '" + name + "': definition nested deeper than " + MAX_WRAPPERS
                        + " single-member structs (" + path + "): not a libbpf or Aya map definition");
            }
            offset += only.bitOffset();
            path.append('.').append(only.name());
            def = inner;
        }
        return new Definition(def, offset, path.toString());
    }

    private MapSpec btfMap(String name, int typeId, boolean inner) {
        Definition found = definition(name, typeId);
        Struct def = found.struct();
        String where = found.path().equals(name) ? "" : " (definition at " + found.path() + ")";
        Integer type = null;
        int keySize = 0;
        int valueSize = 0;
        int maxEntries = 0;
        int flags = 0;
        int numaNode = 0;
        int pinning = 0;
        long mapExtra = 0;
        int keyTypeId = 0;
        int valueTypeId = 0;
        MapSpec innerMap = null;
        for (Member m : def.members()) {
            String field = m.name();
            switch (field) {
                case "type" -> type = uintField(name, m);
                case "max_entries" -> maxEntries = uintField(name, m);
                case "map_flags" -> flags = uintField(name, m);
                case "numa_node" -> numaNode = uintField(name, m);
                case "pinning" -> {
                    pinning = uintField(name, m);
                    if (pinning != 0 && pinning != 1) {
                        // as libbpf's parse_btf_map_def: LIBBPF_PIN_NONE or LIBBPF_PIN_BY_NAME
                        throw new BpfException("map '" + name + "': invalid pinning value " + pinning
                                + ": it is LIBBPF_PIN_NONE (0) or LIBBPF_PIN_BY_NAME (1)");
                    }
                }
                case "map_extra" -> mapExtra = Integer.toUnsignedLong(uintField(name, m));
                case "key_size" -> keySize = checkSize(name, "key", keySize, uintField(name, m));
                case "value_size" -> valueSize = checkSize(name, "value", valueSize, uintField(name, m));
                case "key" -> {
                    keyTypeId = pointee(name, m);
                    keySize = checkSize(name, "key", keySize, (int) btf.sizeOf(keyTypeId));
                }
                case "value" -> {
                    valueTypeId = pointee(name, m);
                    valueSize = checkSize(name, "value", valueSize, (int) btf.sizeOf(valueTypeId));
                }
                case "values" -> {
                    int elem = valuesElement(name, m);
                    BtfType target = btf.type(btf.resolve(elem));
                    if (target instanceof Struct) {
                        if (inner) {
                            throw new BpfException("map '" + name + "': an inner map cannot itself hold maps");
                        }
                        innerMap = btfMap(name + ".inner", elem, true);
                    } else if (!(target instanceof FuncProto)) {
                        throw new BpfException("map '" + name + "': __array(values, ...) must hold a map "
                                + "definition (map-in-map) or a function prototype (prog array), not "
                                + btf.describe(elem));
                    }
                }
                default -> throw new BpfException("map '" + name + "': unknown field '" + field
                        + "' in its definition" + where + "; known: type, key, value, key_size, value_size, "
                        + "max_entries, map_flags, numa_node, pinning, map_extra, values");
            }
        }
        if (type == null) {
            throw new BpfException("map '" + name + "': definition has no type: add __uint(type, BPF_MAP_TYPE_...)");
        }
        MapType mapType = mapType(name, type);
        if (innerMap != null && !mapType.isMapInMap()) {
            throw new BpfException("map '" + name + "': __array(values, struct ...) needs a map-in-map type, not "
                    + mapType);
        }
        if (mapType.isMapInMap() && innerMap == null) {
            throw new BpfException("map '" + name + "': " + mapType + " needs the inner map's definition: "
                    + "add __array(values, struct { ... })");
        }
        // Sizes the kernel fixes for fd-holding maps, as libbpf fills them in.
        if (holdsFds(mapType)) {
            if (keySize == 0 && mapType != MapType.HASH_OF_MAPS) {
                keySize = 4;
            }
            if (valueSize == 0) {
                valueSize = 4;
            }
        }
        if (mapType.isRingBuffer()) {
            // The kernel wants no key or value here; Aya's RingBuf<T> names its record type as the value, which is
            // kept (never sent to the kernel) so records can be decoded by it.
            keySize = 0;
            valueSize = 0;
            keyTypeId = 0;
            return new MapSpec(name, kernelMapName(name), MapKind.BTF, mapType, 0, 0, maxEntries, flags, numaNode,
                    pinning, mapExtra, 0, valueTypeId, null, List.of(), null, false);
        }
        if (!keepsBtfTypes(mapType)) {
            keyTypeId = 0;
            valueTypeId = 0;
        }
        return new MapSpec(name, kernelMapName(name), MapKind.BTF, mapType, keySize, valueSize, maxEntries, flags,
                numaNode, pinning, mapExtra, keyTypeId, valueTypeId, innerMap, List.of(), null, false);
    }

    /** Map types whose values are file descriptors, sized 4 bytes by the kernel. */
    private static boolean holdsFds(MapType type) {
        return switch (type) {
            case PROG_ARRAY, ARRAY_OF_MAPS, HASH_OF_MAPS, PERF_EVENT_ARRAY, CGROUP_ARRAY -> true;
            default -> false;
        };
    }

    /** Map types for which the kernel accepts BTF key/value types (libbpf drops them for the others). */
    private static boolean keepsBtfTypes(MapType type) {
        return switch (type) {
            case PERF_EVENT_ARRAY, CGROUP_ARRAY, STACK_TRACE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, DEVMAP_HASH,
                 CPUMAP, XSKMAP, SOCKMAP, SOCKHASH, QUEUE, STACK, ARENA, PROG_ARRAY -> false;
            default -> true;
        };
    }

    private int uintField(String map, Member m) {
        // __uint(name, val) is `int (*name)[val]`: a pointer to an array whose length is the value.
        BtfType t = btf.type(m.type());
        if (t instanceof Ptr p && btf.type(p.type()) instanceof Array a) {
            return a.nelems();
        }
        throw new BpfException("map '" + map + "': field '" + m.name() + "' is " + btf.describe(m.type())
                + ", expected __uint(" + m.name() + ", value)");
    }

    private int pointee(String map, Member m) {
        if (btf.type(m.type()) instanceof Ptr p) {
            return p.type();
        }
        throw new BpfException("map '" + map + "': field '" + m.name() + "' is " + btf.describe(m.type())
                + ", expected __type(" + m.name() + ", T)");
    }

    private int valuesElement(String map, Member m) {
        if (btf.type(m.type()) instanceof Array a && btf.type(a.type()) instanceof Ptr p) {
            return p.type();
        }
        throw new BpfException("map '" + map + "': field 'values' is " + btf.describe(m.type())
                + ", expected __array(values, ...)");
    }

    private static int checkSize(String map, String what, int previous, int size) {
        if (previous != 0 && previous != size) {
            throw new BpfException("map '" + map + "': " + what + " size " + size + " disagrees with "
                    + what + "_size " + previous);
        }
        return size;
    }

    private static MapType mapType(String map, int number) {
        return MapType.of(number).orElseThrow(() -> new BpfException("map '" + map + "': unknown map type "
                + number + " (newer than bpfunit knows)"));
    }

    /** Static {@code .values = { [i] = &prog_or_map }} entries, from relocations into the map's definition. */
    private List<MapSpec.InitialValue> staticValues(String map, int typeId, VarSecinfo vsi,
                                                    List<ElfRelocation> relocations) {
        Definition found = definition(map, typeId);
        Optional<Member> values = found.struct().members().stream().filter(m -> m.name().equals("values"))
                .findFirst();
        List<MapSpec.InitialValue> out = new ArrayList<>();
        for (ElfRelocation r : relocations) {
            if (r.offset() < vsi.offset() || r.offset() >= (long) vsi.offset() + vsi.size()) {
                continue;
            }
            if (values.isEmpty()) {
                throw new BpfException("map '" + map + "': has a relocation at offset "
                        + (r.offset() - vsi.offset()) + " but no 'values' field");
            }
            long valuesStart = vsi.offset() + (found.bitOffset() + values.get().bitOffset()) / 8L;
            long rel = r.offset() - valuesStart;
            if (rel < 0 || rel % 8 != 0) {
                throw new BpfException("map '" + map + "': relocation at offset " + (r.offset() - vsi.offset())
                        + " is not an element of 'values'");
            }
            ElfSymbol sym = elf.symbols().get(r.symbolIndex());
            out.add(new MapSpec.InitialValue((int) (rel / 8), sym.name()));
        }
        out.sort(Comparator.comparingInt(MapSpec.InitialValue::index));
        return out;
    }

    // ---- legacy maps (maps) ----

    private void readLegacyMaps(ElfSection section) {
        if (section.dataLength() < section.size()) {
            throw new BpfException("section maps has type " + Elf.sectionTypeName(section.type()) + ": its "
                    + section.size()
                    + " bytes of legacy map definitions (struct bpf_map_def) are not in the file; "
                    + "the section table is corrupt");
        }
        List<ElfSymbol> symbols = elf.symbols().stream()
                .filter(s -> s.sectionIndex() == section.index() && !s.isSection() && !s.name().isEmpty())
                .sorted(Comparator.comparingLong(ElfSymbol::value))
                .toList();
        if (symbols.isEmpty()) {
            if (section.size() > 0) {
                throw new BpfException("section maps has " + section.size() + " bytes but no map symbols");
            }
            return;
        }
        long defSize = section.size() / symbols.size();
        if (section.size() % symbols.size() != 0 || defSize < LEGACY_DEF_MIN || defSize % 4 != 0) {
            throw new BpfException("section maps: " + section.size() + " bytes for " + symbols.size()
                    + " maps is not a legacy map layout (20-byte bpf_map_def, 28-byte Aya bpf_map_def)");
        }
        ByteBuffer data = ByteBuffer.wrap(section.data()).order(ByteOrder.LITTLE_ENDIAN);
        for (ElfSymbol sym : symbols) {
            if (sym.value() < 0 || sym.value() % defSize != 0 || sym.value() + defSize > section.size()) {
                throw new BpfException("legacy map '" + sym.name() + "' at offset " + sym.value()
                        + " does not start a " + defSize + "-byte definition");
            }
            int off = (int) sym.value();
            int type = data.getInt(off);
            int keySize = data.getInt(off + 4);
            int valueSize = data.getInt(off + 8);
            int maxEntries = data.getInt(off + 12);
            int flags = data.getInt(off + 16);
            int pinning = defSize >= 28 ? data.getInt(off + 24) : 0;
            MapType mapType = mapType(sym.name(), type);
            maps.add(new MapSpec(sym.name(), kernelMapName(sym.name()), MapKind.LEGACY, mapType, keySize,
                    valueSize, maxEntries, flags, 0, pinning, 0, 0, 0, null, List.of(), null, false));
        }
    }

    // ---- global data (.data, .rodata, .bss, ...) ----

    private void readDataSection(ElfSection s) {
        String name = s.name();
        // checked before the zeroes of a .bss are allocated: the size is only a number in the section header
        MapMemory.checkGlobalData(name, s.size());
        globalData += s.size();
        MapMemory.checkGlobalData("data sections (all together)", globalData);
        boolean readOnly = name.startsWith(".rodata");
        int datasecId = btf == null ? 0 : btf.findId(name, Datasec.class).orElse(0);
        int flags = readOnly ? BpfConstants.BPF_F_RDONLY_PROG : 0;
        if (mmapable(datasecId)) {
            flags |= BpfConstants.BPF_F_MMAPABLE;
        }
        byte[] contents = s.isNoBits() ? new byte[(int) s.size()] : s.data();
        maps.add(new MapSpec(name, internalMapName(name), MapKind.DATA, MapType.ARRAY, 4, (int) s.size(), 1,
                flags, 0, 0, 0, 0, datasecId, null, List.of(), contents, readOnly));
        if (datasecId != 0) {
            for (VarSecinfo vsi : ((Datasec) btf.type(datasecId)).vars()) {
                if (btf.type(vsi.type()) instanceof Var var) {
                    variables.add(new VariableSpec(var.name(), name, vsi.offset(), vsi.size(), var.type(), readOnly));
                }
            }
        } else {
            for (ElfSymbol sym : elf.symbols()) {
                if (sym.sectionIndex() == s.index() && sym.isObject() && !sym.name().isEmpty()) {
                    variables.add(new VariableSpec(sym.name(), name, (int) sym.value(), (int) sym.size(), 0,
                            readOnly));
                }
            }
        }
    }

    // ---- __kconfig externs (.kconfig) ----

    /**
     * The {@code .kconfig} DATASEC (laid out by {@code BtfFixups.fixExterns}) becomes a read-only one-entry array
     * whose value the loader fills from the kernel's configuration; each extern is a variable in it.
     */
    private void readKconfig() {
        if (btf == null) {
            return;
        }
        int id = btf.findId(KCONFIG, Datasec.class).orElse(0);
        if (id == 0 || ((Datasec) btf.type(id)).vars().isEmpty()) {
            return;
        }
        Datasec d = (Datasec) btf.type(id);
        MapMemory.checkGlobalData(KCONFIG, Integer.toUnsignedLong(d.size()));
        maps.add(new MapSpec(KCONFIG, internalMapName(KCONFIG), MapKind.KCONFIG, MapType.ARRAY, 4, d.size(), 1,
                BpfConstants.BPF_F_RDONLY_PROG | BpfConstants.BPF_F_MMAPABLE, 0, 0, 0, 0, id, null, List.of(),
                new byte[d.size()], true));
        for (VarSecinfo vsi : d.vars()) {
            Var var = (Var) btf.type(vsi.type());
            variables.add(new VariableSpec(var.name(), KCONFIG, vsi.offset(), vsi.size(), var.type(), true));
        }
    }

    /** As libbpf: a data map can be mapped into memory when one of its variables is not static. */
    private boolean mmapable(int datasecId) {
        if (datasecId == 0) {
            return false;
        }
        for (VarSecinfo vsi : ((Datasec) btf.type(datasecId)).vars()) {
            if (btf.type(vsi.type()) instanceof Var var && var.linkage() != BtfLinkage.STATIC) {
                return true;
            }
        }
        return false;
    }

    /** The kernel name libbpf gives a global data map: object-name prefix plus section name, 15 characters. */
    String internalMapName(String section) {
        int maxLen = 15;
        int sfxLen = Math.min(Math.max(7, section.length()), maxLen);
        int pfxLen = section.indexOf('.', 1) >= 0 ? 0 : Math.min(maxLen - sfxLen, objectName.length());
        String name = objectName.substring(0, pfxLen) + section.substring(0, Math.min(sfxLen, section.length()));
        return sanitize(name);
    }

    static String kernelMapName(String name) {
        return sanitize(name.length() > 15 ? name.substring(0, 15) : name);
    }

    private static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' ? c : '_');
        }
        return b.toString();
    }
}

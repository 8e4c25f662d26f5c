package dev.bpfunit;

import dev.bpfunit.btf.Btf;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.MapSpec;
import dev.bpfunit.spec.MapMemory;
import dev.bpfunit.spec.MapType;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Errno;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.MapCreateAttr;
import dev.bpfunit.sys.SystemInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;

/**
 * The map half of a load, as libbpf's {@code bpf_object__create_maps} and cilium's map creation: creates a map
 * from its spec (filled and frozen where it is global data), and after the programs are loaded, stores the static
 * {@code .values} of prog arrays and maps of maps. {@link BpfObjectLoader} runs the steps in order; programs are
 * linked by {@link ProgramLinking} and loaded by {@link ProgramLoading}.
 */
final class MapCreation {
    private MapCreation() {
    }

    /**
     * Creates one map (BPF_MAP_CREATE, retried without BTF key/value types where the kernel refuses them, as
     * libbpf does), fills global data and freezes {@code .rodata}; a map that fails after creation is closed.
     */
    static BpfMap create(MapSpec m, Fd btfFd, Btf btf, long memoryLimit) {
        int entries = m.maxEntries();
        if (entries == 0 && !m.type().takesNoMaxEntries()) {
            if (m.type() == MapType.PERF_EVENT_ARRAY) {
                entries = SystemInfo.possibleCpuCount();
                m = m.withMaxEntries(entries);
            } else {
                throw new BpfException("map '" + m.name() + "' has no max_entries in its definition: set it "
                        + "with BpfObject.loader(path).maxEntries(\"" + m.name() + "\", n)");
            }
        }
        if (m.type().isRingBuffer()) {
            int adjusted = ringBufferSize(entries, SystemInfo.pageSize());
            if (adjusted != entries) {
                m = m.withMaxEntries(adjusted);
            }
        }
        // the one place a map's size is checked before BPF_MAP_CREATE
        MapMemory.check(m, SystemInfo.possibleCpuCount(), memoryLimit, "BpfObject.loader(path)"
                + ".mapMemoryLimit(bytes), the system property or JUnit configuration parameter "
                + MapMemory.LIMIT_PROPERTY + "=2g");
        Fd fd;
        try {
            fd = createFd(m, btfFd, true);
        } catch (BpfSyscallException e) {
            if (e.errno() == Errno.EPERM || m.btfKeyTypeId() == 0 && m.btfValueTypeId() == 0) {
                throw e;
            }
            // As libbpf: some kernels and map types refuse BTF key/value types; retry without them.
            fd = createFd(m, btfFd, false);
            m = m.withoutBtfTypes();
        }
        BpfMap map = new BpfMap(m, fd, btf);
        try {
            byte[] contents = m.contents();
            if (contents != null) {
                Bpf.mapUpdateElem(fd, new byte[4], contents, BpfMap.ANY);
                if (m.freeze()) {
                    Bpf.mapFreeze(fd);
                }
            }
        } catch (RuntimeException | Error e) {
            map.close();
            throw e;
        }
        return map;
    }

    /**
     * A ring buffer's size as libbpf passes it ({@code adjust_ringbuf_sz}): the kernel wants a power-of-2 multiple
     * of the page size, so a size that is not becomes the smallest such multiple above it; 0, and a size no such
     * multiple fits, are passed as they are for the kernel to refuse.
     */
    static int ringBufferSize(int size, int pageSize) {
        long sz = Integer.toUnsignedLong(size);
        if (sz == 0 || sz % pageSize == 0 && Long.bitCount(sz / pageSize) == 1) {
            return size;
        }
        for (long mul = 1; mul <= 0xffffffffL / pageSize; mul <<= 1) {
            if (mul * pageSize > sz) {
                return (int) (mul * pageSize);
            }
        }
        return size;
    }

    private static Fd createFd(MapSpec m, Fd btfFd, boolean withBtf) {
        boolean ring = m.type().isRingBuffer();   // record type: ours only
        // an inner ring buffer is sized as libbpf does too (the outer map's size was adjusted by create)
        int entries = ring ? ringBufferSize(m.maxEntries(), SystemInfo.pageSize()) : m.maxEntries();
        MapCreateAttr attr = new MapCreateAttr().mapType(m.type().number()).keySize(m.keySize())
                .valueSize(m.valueSize()).maxEntries(entries).mapFlags(m.flags())
                .numaNode(m.numaNode()).mapName(m.kernelName()).mapExtra(m.mapExtra());
        if (withBtf && !ring && btfFd != null && (m.btfKeyTypeId() != 0 || m.btfValueTypeId() != 0)) {
            attr.btfFd(btfFd).btfKeyTypeId(m.btfKeyTypeId()).btfValueTypeId(m.btfValueTypeId());
        }
        if (m.innerMap() == null) {
            return Bpf.mapCreate(attr);
        }
        MapSpec inner = m.innerMap();
        if (inner.maxEntries() == 0) {
            throw new BpfException("map '" + m.name() + "': its inner map definition has no max_entries");
        }
        try (Fd innerFd = createFd(inner, btfFd, withBtf)) {
            attr.innerMapFd(innerFd);
            return Bpf.mapCreate(attr);
        }
    }

    /** Stores a prog array's programs or a map of maps' inner maps, as the object's {@code .values} give them. */
    static void fillStaticValues(MapSpec m, Map<String, BpfMap> maps, Map<String, BpfProgram> programs,
            Set<String> skipped) {
        if (m.initialValues().isEmpty()) {
            return;
        }
        BpfMap map = maps.get(m.name());
        for (MapSpec.InitialValue v : m.initialValues()) {
            Fd target;
            if (m.type() == MapType.PROG_ARRAY) {
                if (skipped.contains(v.target())) {
                    continue;
                }
                BpfProgram prog = programs.get(v.target());
                if (prog == null) {
                    throw new BpfException("map '" + m.name() + "': slot " + v.index() + " names program '"
                            + v.target() + "', which the object does not define");
                }
                target = prog.fd();
            } else {
                BpfMap inner = maps.get(v.target());
                if (inner == null) {
                    throw new BpfException("map '" + m.name() + "': slot " + v.index() + " names map '"
                            + v.target() + "', which the object does not define");
                }
                target = inner.fd();
            }
            byte[] key = ByteBuffer.allocate(m.keySize()).order(ByteOrder.LITTLE_ENDIAN).putInt(v.index()).array();
            byte[] value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(target.raw()).array();
            Bpf.mapUpdateElem(map.fd(), key, value, BpfMap.ANY);
        }
    }
}

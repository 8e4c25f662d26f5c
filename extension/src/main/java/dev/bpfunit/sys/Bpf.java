package dev.bpfunit.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The {@code bpf(2)} system call: one static method per command bpfunit uses, taking and returning
 * Java values and {@link Fd}s, throwing {@link BpfSyscallException} with a hint when the kernel
 * refuses.
 *
 * <p>Map element methods check key and value buffers against the map's key and value size (fetched
 * once per map {@code Fd} with {@code BPF_OBJ_GET_INFO_BY_FD}) before the call, because the kernel
 * copies as many bytes as the map says, whatever the buffer: a wrong size is an
 * {@link IllegalArgumentException} here rather than corrupted memory. Values of per-CPU maps hold
 * {@code round_up(value_size, 8)} bytes for each possible CPU ({@link MapInfo#userValueSize()}).
 */
public final class Bpf {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    /** Attempts of {@code BPF_PROG_LOAD} while the verifier keeps returning {@code EAGAIN}. */
    static final int PROG_LOAD_ATTEMPTS = 5;
    /** Consecutive {@code EINTR}s of {@code BPF_PROG_TEST_RUN} after which we give up. */
    static final int TEST_RUN_MAX_INTERRUPTS = 1000;

    private static volatile long syscallNumber = -1;

    static {
        // Load the classes of the error path now: when the process is out of file descriptors (EMFILE), a class
        // read from a directory cannot be loaded any more, and the failure would be a NoClassDefFoundError.
        Errno.values();
        Hints.forSyscall(Errno.EMFILE.number());
        new BpfSyscallException("preload", Errno.EMFILE.number(), "", "").getMessage();
        dev.bpfunit.error.Closeables.class.getName(); // the loader's cleanup after a failure
    }

    private Bpf() {
    }

    // ---------------------------------------------------------------- maps

    /** {@code BPF_MAP_CREATE}; the new map's description is {@code map '<name>'}. */
    public static Fd mapCreate(MapCreateAttr attr) {
        Objects.requireNonNull(attr, "attr");
        String subject = attr.name().isEmpty() ? "unnamed map" : "map '" + attr.name() + "'";
        long r = call(BpfCommand.BPF_MAP_CREATE, attr);
        if (r < 0) {
            throw failure(BpfCommand.BPF_MAP_CREATE, r, subject, null);
        }
        return Fd.adopt((int) r, subject);
    }

    /**
     * {@code BPF_MAP_LOOKUP_ELEM}: copies the value of {@code key} into {@code valueOut}.
     *
     * @param flags {@code BPF_ANY} or {@code BPF_F_LOCK}
     * @return false if the map has no such key ({@code ENOENT})
     */
    public static boolean mapLookupElem(Fd map, byte[] key, byte[] valueOut, long flags) {
        MapInfo info = info(map);
        requireKey(map, info, key, "key");
        requireValue(map, info, valueOut, "valueOut");
        try (Scratch s = Scratch.open(elemScratch(key, valueOut))) {
            long v = s.zeroed(valueOut.length);
            long r = call(BpfCommand.BPF_MAP_LOOKUP_ELEM,
                    new MapElemAttr(s, map).key(s.copyOf(key)).value(v).flags(flags));
            if (isErrno(r, Errno.ENOENT)) {
                return false;
            }
            check(BpfCommand.BPF_MAP_LOOKUP_ELEM, r, map, info);
            readInto(s, v, valueOut);
            return true;
        }
    }

    /**
     * {@code BPF_MAP_UPDATE_ELEM}: creates or replaces the element (a queue or stack pushes the
     * value; pass a null key).
     *
     * @param flags {@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}, optionally {@code | BPF_F_LOCK}
     */
    public static void mapUpdateElem(Fd map, byte[] key, byte[] value, long flags) {
        MapInfo info = info(map);
        requireKey(map, info, key, "key");
        requireValue(map, info, value, "value");
        try (Scratch s = Scratch.open(elemScratch(key, value))) {
            MapElemAttr attr = new MapElemAttr(s, map).key(s.copyOf(key)).value(s.copyOf(value)).flags(flags);
            check(BpfCommand.BPF_MAP_UPDATE_ELEM, call(BpfCommand.BPF_MAP_UPDATE_ELEM, attr), map, info);
        }
    }

    /**
     * {@code BPF_MAP_DELETE_ELEM}.
     *
     * @return false if the map had no such key ({@code ENOENT})
     */
    public static boolean mapDeleteElem(Fd map, byte[] key) {
        MapInfo info = info(map);
        requireKey(map, info, key, "key");
        try (Scratch s = Scratch.open(elemScratch(key, null))) {
            long r = call(BpfCommand.BPF_MAP_DELETE_ELEM, new MapElemAttr(s, map).key(s.copyOf(key)));
            if (isErrno(r, Errno.ENOENT)) {
                return false;
            }
            check(BpfCommand.BPF_MAP_DELETE_ELEM, r, map, info);
            return true;
        }
    }

    /**
     * {@code BPF_MAP_GET_NEXT_KEY}: the key after {@code keyOrNull} (null: the first key).
     *
     * @return false when there is no next key ({@code ENOENT}: the end of the map)
     */
    public static boolean mapGetNextKey(Fd map, byte[] keyOrNull, byte[] nextKeyOut) {
        MapInfo info = info(map);
        if (keyOrNull != null) {
            requireKey(map, info, keyOrNull, "key");
        }
        requireKey(map, info, nextKeyOut, "nextKeyOut");
        try (Scratch s = Scratch.open(elemScratch(keyOrNull, nextKeyOut))) {
            long next = s.zeroed(nextKeyOut.length);
            long r = call(BpfCommand.BPF_MAP_GET_NEXT_KEY, new MapElemAttr(s, map).key(s.copyOf(keyOrNull))
                    .nextKey(next));
            if (isErrno(r, Errno.ENOENT)) {
                return false;
            }
            check(BpfCommand.BPF_MAP_GET_NEXT_KEY, r, map, info);
            readInto(s, next, nextKeyOut);
            return true;
        }
    }

    /**
     * {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}: pops a queue or stack (null key), or takes an element
     * out of a hash map (Linux 5.14).
     *
     * @return false when there is nothing to take ({@code ENOENT})
     */
    public static boolean mapLookupAndDeleteElem(Fd map, byte[] keyOrNull, byte[] valueOut, long flags) {
        MapInfo info = info(map);
        requireKey(map, info, keyOrNull, "key");
        requireValue(map, info, valueOut, "valueOut");
        try (Scratch s = Scratch.open(elemScratch(keyOrNull, valueOut))) {
            long v = s.zeroed(valueOut.length);
            long r = call(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM,
                    new MapElemAttr(s, map).key(s.copyOf(keyOrNull)).value(v).flags(flags));
            if (isErrno(r, Errno.ENOENT)) {
                return false;
            }
            check(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, r, map, info);
            readInto(s, v, valueOut);
            return true;
        }
    }

    /** {@code BPF_MAP_FREEZE}: from now on user space can no longer change the map. */
    public static void mapFreeze(Fd map) {
        check(BpfCommand.BPF_MAP_FREEZE, call(BpfCommand.BPF_MAP_FREEZE, new MapElemAttr(map)), map, null);
    }

    /**
     * The size of the position token of the batch commands for this map: {@code max(key_size, 4)}
     * rounded up to 8 (the kernel writes a u32 bucket for hash maps, a key for the others).
     */
    public static int batchTokenSize(Fd map) {
        return (Math.max(info(map).keySize(), 4) + 7) & ~7;
    }

    /**
     * {@code BPF_MAP_LOOKUP_BATCH}: copies up to {@code count} elements into the key and value
     * buffers ({@link BatchResult#count()} of them, from the start; the rest of each buffer is left as it was).
     *
     * @param inBatchOrNull null to start at the beginning, else {@link BatchResult#nextBatch()} of
     *     the previous call
     * @param keysOut {@code count * key_size} bytes
     * @param valuesOut {@code count * }{@link MapInfo#userValueSize()} bytes
     * @param elemFlags {@code BPF_ANY} or {@code BPF_F_LOCK}
     */
    public static BatchResult mapLookupBatch(Fd map, byte[] inBatchOrNull, byte[] keysOut, byte[] valuesOut,
            int count, long elemFlags) {
        return lookupBatch(BpfCommand.BPF_MAP_LOOKUP_BATCH, map, inBatchOrNull, keysOut, valuesOut, count, elemFlags);
    }

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_BATCH}: as {@link #mapLookupBatch}, removing what it returns. */
    public static BatchResult mapLookupAndDeleteBatch(Fd map, byte[] inBatchOrNull, byte[] keysOut,
            byte[] valuesOut, int count, long elemFlags) {
        return lookupBatch(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, map, inBatchOrNull, keysOut, valuesOut, count,
                elemFlags);
    }

    /**
     * Receives the elements one {@code BPF_MAP_LOOKUP_BATCH} returned, where the kernel wrote them: no copy is made
     * unless the consumer makes one.
     */
    @FunctionalInterface
    public interface BatchElements {
        /**
         * {@code keys} holds the {@code count} keys back to back from position 0, {@code values} their values (each
         * {@code info.userValueSize()} bytes: all CPUs' slots of a per-CPU map), both read-only, in native order and
         * valid only during this call.
         */
        void accept(int count, ByteBuffer keys, ByteBuffer values);
    }

    /**
     * {@code BPF_MAP_LOOKUP_BATCH} of up to {@code count} elements from {@code inBatchOrNull}, as
     * {@link #mapLookupBatch(Fd, byte[], byte[], byte[], int, long)} with its buffers, but handing the elements to
     * {@code elements} (called once, also for 0 elements) instead of copying them into arrays.
     */
    public static BatchResult mapLookupBatch(Fd map, byte[] inBatchOrNull, int count, long elemFlags,
            BatchElements elements) {
        Objects.requireNonNull(elements, "elements");
        if (count <= 0) {
            throw new IllegalArgumentException("batch count for " + map + " must be positive, got " + count);
        }
        MapInfo info = info(map);
        return lookupBatch(BpfCommand.BPF_MAP_LOOKUP_BATCH, map, info, inBatchOrNull, (long) count * info.keySize(),
                count * info.userValueSize(), count, elemFlags, elements);
    }

    private static BatchResult lookupBatch(BpfCommand command, Fd map, byte[] inBatchOrNull, byte[] keysOut,
            byte[] valuesOut, int count, long elemFlags) {
        MapInfo info = info(map);
        requireBatch(map, info, keysOut, valuesOut, count);
        return lookupBatch(command, map, info, inBatchOrNull, keysOut.length, valuesOut.length, count, elemFlags,
                (got, keys, values) -> {
                    keys.get(0, keysOut, 0, got * info.keySize());
                    values.get(0, valuesOut, 0, (int) (got * info.userValueSize()));
                });
    }

    private static BatchResult lookupBatch(BpfCommand command, Fd map, MapInfo info, byte[] inBatchOrNull,
            long keysLength, long valuesLength, int count, long elemFlags, BatchElements elements) {
        int tokenSize = batchTokenSize(map);
        if (inBatchOrNull != null && inBatchOrNull.length != tokenSize) {
            throw new IllegalArgumentException("batch token for " + map + " must be " + tokenSize
                    + " bytes (a nextBatch() of an earlier call), got " + inBatchOrNull.length);
        }
        long size = Scratch.slot(MapBatchAttr.SIZE) + 2 * Scratch.slot(tokenSize) + Scratch.slot(keysLength)
                + Scratch.slot(valuesLength);
        try (Scratch s = Scratch.open(size)) {
            long out = s.zeroed(tokenSize);
            // the kernel writes the elements it returns, and only those are read: no clearing
            long keys = s.uncleared(keysLength);
            long values = s.uncleared(valuesLength);
            MapBatchAttr attr = new MapBatchAttr(s, map).inBatch(s.copyOf(inBatchOrNull)).outBatch(out).keys(keys)
                    .values(values).count(count).elemFlags(elemFlags);
            long r = call(command, attr);
            boolean done = isErrno(r, Errno.ENOENT);
            if (!done) {
                check(command, r, map, info);
            }
            int got = attr.count();
            if (got < 0 || got > count) {
                throw new IllegalStateException(command + " of " + map + " reported " + got + " elements for a batch of "
                        + count);
            }
            elements.accept(got, s.slice(keys, (long) got * info.keySize()),
                    s.slice(values, got * info.userValueSize()));
            byte[] token = new byte[tokenSize];
            readInto(s, out, token);
            return new BatchResult(got, token, done);
        }
    }

    /**
     * {@code BPF_MAP_UPDATE_BATCH}: writes {@code count} elements.
     *
     * @return the number of elements written (all of them; a partial failure throws, saying how many
     *     were written)
     */
    public static int mapUpdateBatch(Fd map, byte[] keys, byte[] values, int count, long elemFlags) {
        MapInfo info = info(map);
        requireBatch(map, info, keys, values, count);
        long size = Scratch.slot(MapBatchAttr.SIZE) + Scratch.slot(keys.length) + Scratch.slot(values.length);
        try (Scratch s = Scratch.open(size)) {
            MapBatchAttr attr = new MapBatchAttr(s, map).keys(s.copyOf(keys)).values(s.copyOf(values)).count(count)
                    .elemFlags(elemFlags);
            return writeBatch(BpfCommand.BPF_MAP_UPDATE_BATCH, attr, map, info, count);
        }
    }

    /**
     * {@code BPF_MAP_DELETE_BATCH}: deletes {@code count} keys; a missing key fails the call with
     * {@code ENOENT}, saying how many were deleted before it.
     *
     * @return the number of elements deleted
     */
    public static int mapDeleteBatch(Fd map, byte[] keys, int count, long elemFlags) {
        MapInfo info = info(map);
        requireBatch(map, info, keys, null, count);
        try (Scratch s = Scratch.open(Scratch.slot(MapBatchAttr.SIZE) + Scratch.slot(keys.length))) {
            MapBatchAttr attr = new MapBatchAttr(s, map).keys(s.copyOf(keys)).count(count).elemFlags(elemFlags);
            return writeBatch(BpfCommand.BPF_MAP_DELETE_BATCH, attr, map, info, count);
        }
    }

    private static int writeBatch(BpfCommand command, MapBatchAttr attr, Fd map, MapInfo info, int count) {
        long r = call(command, attr);
        if (r < 0) {
            int errno = (int) -r;
            String hint = Hints.forBpf(command, errno, info);
            String progress = attr.count() + " of " + count + " elements were processed before the failure";
            throw new BpfSyscallException(command, errno, map.toString(), hint.isEmpty() ? progress
                    : hint + " (" + progress + ")");
        }
        return attr.count();
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} for a map. */
    public static MapInfo mapInfo(Fd map) {
        try (Memory buf = Attr.nativeBuffer(MapInfo.SIZE)) {
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(map, buf)),
                    map, null);
            return MapInfo.read(buf);
        }
    }

    /**
     * {@code mmap} of a map: the value area of a {@code BPF_F_MMAPABLE} array starts at offset 0.
     *
     * @param size bytes to map; the kernel refuses more than the map holds (rounded up to a page)
     * @param writable whether to map read-write; a frozen map can only be mapped read-only
     */
    public static MappedRegion mmap(Fd map, long size, boolean writable) {
        return mmap(map, 0, size, writable);
    }

    /**
     * {@code mmap} of a map from a page-aligned {@code offset}: a ring buffer's consumer page is at 0
     * (read-write), its producer page and data pages at one page (read-only).
     */
    public static MappedRegion mmap(Fd map, long offset, long size, boolean writable) {
        Objects.requireNonNull(map, "map");
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size of " + map + " must be positive, got " + size);
        }
        if (offset < 0 || offset % SystemInfo.pageSize() != 0) {
            throw new IllegalArgumentException("mapping offset of " + map + " must be a non-negative multiple of "
                    + "the page size " + SystemInfo.pageSize() + ", got " + offset);
        }
        int prot = Libc.PROT_READ | (writable ? Libc.PROT_WRITE : 0);
        long p;
        map.acquire();
        try {
            p = NativeCalls.INSTANCE.mmap(size, prot, Libc.MAP_SHARED, map.raw(), offset);
        } finally {
            map.release();
        }
        Reference.reachabilityFence(map);
        if (p < 0) {
            int errno = (int) -p;
            throw new BpfSyscallException("mmap", errno, map.toString(), Hints.forMmap(errno, writable));
        }
        return new MappedRegion(p, size, writable, map.toString());
    }

    // ---------------------------------------------------------------- programs and BTF

    /**
     * {@code BPF_PROG_LOAD}, retried up to {@value #PROG_LOAD_ATTEMPTS} times while the kernel returns
     * {@code EAGAIN} (the verifier was interrupted by a signal), as cilium/ebpf does. On failure the
     * verifier log stays in {@code attr}: read {@link ProgLoadAttr#log()} and
     * {@link ProgLoadAttr#logTrueSize()}.
     */
    public static Fd progLoad(ProgLoadAttr attr) {
        Objects.requireNonNull(attr, "attr");
        long r = 0;
        for (int attempt = 0; attempt < PROG_LOAD_ATTEMPTS; attempt++) {
            attr.prepareLog();
            r = call(BpfCommand.BPF_PROG_LOAD, attr);
            if (!isErrno(r, Errno.EAGAIN)) {
                break;
            }
        }
        if (r < 0) {
            throw failure(BpfCommand.BPF_PROG_LOAD, r, attr.describe(), null);
        }
        return Fd.adopt((int) r, attr.describe());
    }

    /** {@code BPF_BTF_LOAD}, described as {@code "BTF"}; see {@link #btfLoad(BtfLoadAttr, String)}. */
    public static Fd btfLoad(BtfLoadAttr attr) {
        return btfLoad(attr, "BTF");
    }

    /**
     * {@code BPF_BTF_LOAD}. On failure the BTF log stays in {@code attr}.
     *
     * @param description what the BTF is, e.g. {@code "BTF of xdp_fw.bpf.o"}
     */
    public static Fd btfLoad(BtfLoadAttr attr, String description) {
        Objects.requireNonNull(attr, "attr");
        Objects.requireNonNull(description, "description");
        attr.prepareLog();
        long r = call(BpfCommand.BPF_BTF_LOAD, attr);
        if (r < 0) {
            throw failure(BpfCommand.BPF_BTF_LOAD, r, description, null);
        }
        return Fd.adopt((int) r, description);
    }

    /**
     * {@code BPF_OBJ_GET_INFO_BY_FD} for a program, twice: once for the counts, once more to fetch the
     * map ids and the translated instructions.
     */
    public static ProgInfo progInfo(Fd prog) {
        int nrMapIds;
        int xlatedLen;
        try (Memory first = Attr.nativeBuffer(ProgInfo.SIZE)) {
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD,
                    call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(prog, first)), prog, null);
            nrMapIds = first.getInt(ProgInfo.NR_MAP_IDS);
            xlatedLen = first.getInt(ProgInfo.XLATED_PROG_LEN);
        }
        // A fresh buffer: the kernel copies out every array whose length is set, so only the two
        // arrays we provide may carry a length.
        try (Memory info = Attr.nativeBuffer(ProgInfo.SIZE);
                Memory ids = Attr.nativeBuffer(4L * nrMapIds);
                Memory insns = Attr.nativeBuffer(xlatedLen)) {
            info.setInt(ProgInfo.NR_MAP_IDS, nrMapIds);
            info.setLong(ProgInfo.MAP_IDS, ids == null ? 0 : Pointer.nativeValue(ids));
            info.setInt(ProgInfo.XLATED_PROG_LEN, xlatedLen);
            info.setLong(ProgInfo.XLATED_PROG_INSNS, insns == null ? 0 : Pointer.nativeValue(insns));
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD,
                    call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(prog, info)), prog, null);
            int gotIds = Math.min(nrMapIds, info.getInt(ProgInfo.NR_MAP_IDS));
            int gotInsns = Math.min(xlatedLen, info.getInt(ProgInfo.XLATED_PROG_LEN));
            int[] mapIds = ids == null ? new int[0] : ids.getIntArray(0, gotIds);
            byte[] xlated = insns == null || info.getLong(ProgInfo.XLATED_PROG_INSNS) == 0 ? new byte[0]
                    : insns.getByteArray(0, gotInsns);
            return new ProgInfo(info.getInt(ProgInfo.TYPE), info.getInt(ProgInfo.ID),
                    hex(info.getByteArray(ProgInfo.TAG, ProgInfo.TAG_SIZE)), MapInfo.objName(info, ProgInfo.NAME),
                    info.getInt(ProgInfo.JITED_PROG_LEN), info.getInt(ProgInfo.XLATED_PROG_LEN),
                    info.getInt(ProgInfo.BTF_ID), mapIds, info.getLong(ProgInfo.LOAD_TIME),
                    info.getInt(ProgInfo.CREATED_BY_UID), info.getLong(ProgInfo.RUN_TIME_NS),
                    info.getLong(ProgInfo.RUN_CNT), info.getLong(ProgInfo.RECURSION_MISSES),
                    info.getInt(ProgInfo.VERIFIED_INSNS), xlated);
        }
    }

    /**
     * The line info of a program's translated instructions ({@code BPF_OBJ_GET_INFO_BY_FD} with
     * {@code line_info}): one {@code {insn_off, file_name_off, line_off, line_col}} per record, the offsets into
     * the program's BTF strings; empty when the program was loaded without line info.
     */
    public static int[][] progLineInfo(Fd prog) {
        int count;
        int recSize;
        try (Memory first = Attr.nativeBuffer(ProgInfo.SIZE)) {
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD,
                    call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(prog, first)), prog, null);
            count = first.getInt(ProgInfo.NR_LINE_INFO);
            recSize = first.getInt(ProgInfo.LINE_INFO_REC_SIZE);
        }
        if (count == 0 || recSize < 16) {
            return new int[0][];
        }
        try (Memory info = Attr.nativeBuffer(ProgInfo.SIZE);
                Memory records = Attr.nativeBuffer((long) count * recSize)) {
            info.setInt(ProgInfo.NR_LINE_INFO, count);
            info.setInt(ProgInfo.LINE_INFO_REC_SIZE, recSize);
            info.setLong(ProgInfo.LINE_INFO, Pointer.nativeValue(records));
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD,
                    call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(prog, info)), prog, null);
            int got = Math.min(count, info.getInt(ProgInfo.NR_LINE_INFO));
            int[][] out = new int[got][];
            for (int i = 0; i < got; i++) {
                long at = (long) i * recSize;
                out[i] = new int[]{records.getInt(at), records.getInt(at + 4), records.getInt(at + 8),
                        records.getInt(at + 12)};
            }
            return out;
        }
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} for a BTF object. */
    public static BtfInfo btfInfo(Fd btf) {
        int nameCap = 256;
        try (Memory info = Attr.nativeBuffer(BtfInfo.SIZE); Memory name = Attr.nativeBuffer(nameCap)) {
            info.setLong(BtfInfo.NAME, Pointer.nativeValue(name));
            info.setInt(BtfInfo.NAME_LEN, nameCap);
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(btf, info)),
                    btf, null);
            return new BtfInfo(info.getInt(BtfInfo.ID), info.getInt(BtfInfo.BTF_SIZE), Attr.text(name),
                    info.getInt(BtfInfo.KERNEL_BTF) != 0);
        }
    }

    /**
     * {@code BPF_PROG_TEST_RUN}: runs the program once (or {@code repeat} times) on the given input.
     *
     * <p>{@code EINTR}: with many repetitions the kernel checks for pending signals between runs and,
     * if one is pending, abandons the run and returns {@code EINTR}; no result was written. Like
     * cilium/ebpf's {@code Program.Run}, we then start the whole run again (cilium also calls the
     * caller's reset hook so a benchmark timer restarts; here the duration is measured by the kernel
     * over one complete run, so there is nothing to reset). Unlike cilium, which retries forever, we
     * give up after {@value #TEST_RUN_MAX_INTERRUPTS} interruptions in a row.
     *
     * <p>{@code ENOSPC}: the output was larger than the buffer; the exception's hint gives the size
     * the kernel needed, also readable from {@link ProgTestRunAttr#reportedDataSizeOut()}.
     */
    public static TestRunResult progTestRun(Fd prog, ProgTestRunAttr attr) {
        progTestRunInto(prog, attr);
        return attr.result();
    }

    /**
     * {@code BPF_PROG_TEST_RUN} as {@link #progTestRun}, leaving what the kernel reported in {@code attr} only
     * ({@link ProgTestRunAttr#retvalAfterCall()}, {@link ProgTestRunAttr#takeDataOut()}...), so that a caller that
     * builds its own result copies nothing twice.
     */
    public static void progTestRunInto(Fd prog, ProgTestRunAttr attr) {
        Objects.requireNonNull(prog, "prog");
        Objects.requireNonNull(attr, "attr");
        long r;
        try (Scratch s = Scratch.open(attr.scratchSize())) {
            Attr call = attr.prepare(prog, s);
            int interrupts = 0;
            while (true) {
                r = call(BpfCommand.BPF_PROG_TEST_RUN, call);
                if (!isErrno(r, Errno.EINTR) || ++interrupts >= TEST_RUN_MAX_INTERRUPTS) {
                    break;
                }
            }
            attr.finish(call, s);
        }
        if (isErrno(r, Errno.ENOSPC)) {
            throw new BpfSyscallException(BpfCommand.BPF_PROG_TEST_RUN, Errno.ENOSPC.number(), prog.toString(),
                    "output buffer too small: the kernel reported " + Integer.toUnsignedString(attr.reportedDataSizeOut())
                            + " bytes of data (buffer " + attr.dataCapacity() + ") and "
                            + Integer.toUnsignedString(attr.reportedCtxSizeOut()) + " bytes of context (buffer "
                            + attr.ctxCapacity() + "); raise dataSizeOut/ctxSizeOut");
        }
        if (isErrno(r, Errno.EINTR)) {
            throw new BpfSyscallException(BpfCommand.BPF_PROG_TEST_RUN, Errno.EINTR.number(), prog.toString(),
                    "interrupted by signals " + TEST_RUN_MAX_INTERRUPTS + " times in a row; lower repeat");
        }
        check(BpfCommand.BPF_PROG_TEST_RUN, r, prog, null);
    }

    // ---------------------------------------------------------------- pinning, ids, links

    /** {@code BPF_OBJ_PIN}: pins the object at {@code path} inside a BPF filesystem. */
    public static void objPin(Fd fd, String path) {
        Objects.requireNonNull(path, "path");
        check(BpfCommand.BPF_OBJ_PIN, call(BpfCommand.BPF_OBJ_PIN, new ObjAttr(path).bpfFd(fd)),
                fd + " at '" + path + "'", null);
    }

    /** {@code BPF_OBJ_GET}: opens the object pinned at {@code path}. */
    public static Fd objGet(String path, String description) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(description, "description");
        long r = call(BpfCommand.BPF_OBJ_GET, new ObjAttr(path));
        if (r < 0) {
            throw failure(BpfCommand.BPF_OBJ_GET, r, "'" + path + "'", null);
        }
        return Fd.adopt((int) r, description);
    }

    /** {@code BPF_PROG_GET_FD_BY_ID}; described as {@code program id <id>}. */
    public static Fd progGetFdById(int id) {
        return fdById(BpfCommand.BPF_PROG_GET_FD_BY_ID, id, "program id " + Integer.toUnsignedString(id));
    }

    /** {@code BPF_MAP_GET_FD_BY_ID}; described as {@code map id <id>}. */
    public static Fd mapGetFdById(int id) {
        return fdById(BpfCommand.BPF_MAP_GET_FD_BY_ID, id, "map id " + Integer.toUnsignedString(id));
    }

    /** {@code BPF_BTF_GET_FD_BY_ID}. */
    public static Fd btfGetFdById(int id, String description) {
        Objects.requireNonNull(description, "description");
        return fdById(BpfCommand.BPF_BTF_GET_FD_BY_ID, id, description);
    }

    /**
     * {@code BPF_BTF_GET_NEXT_ID}: the id of the next loaded BTF object after {@code startId} (0 for the first),
     * or empty after the last. Kernel BTF (vmlinux and each module's) is among them; see {@link #btfInfo(Fd)}.
     */
    public static java.util.OptionalInt btfGetNextId(int startId) {
        return nextId(BpfCommand.BPF_BTF_GET_NEXT_ID, startId, "BTF");
    }

    /**
     * {@code BPF_PROG_GET_NEXT_ID}: the id of the next program in the kernel after {@code startId}, or empty after
     * the last. Unlike {@link #progGetFdById(int)} it takes no reference, so it can watch a program go away without
     * holding it.
     */
    public static java.util.OptionalInt progGetNextId(int startId) {
        return nextId(BpfCommand.BPF_PROG_GET_NEXT_ID, startId, "program");
    }

    /**
     * {@code BPF_MAP_GET_NEXT_ID}: the id of the next map in the kernel after {@code startId}, or empty after the
     * last. It takes no reference: opening a program array by id and closing it again re-queues the array's
     * clean-up, and a kernel that finds that work already queued keeps the extra reference it took for it, so the
     * array is never freed; watching ids this way leaves the map's life alone.
     */
    public static java.util.OptionalInt mapGetNextId(int startId) {
        return nextId(BpfCommand.BPF_MAP_GET_NEXT_ID, startId, "map");
    }

    private static java.util.OptionalInt nextId(BpfCommand command, int startId, String kind) {
        GetFdByIdAttr attr = new GetFdByIdAttr(startId);
        long r = call(command, attr);
        if (isErrno(r, Errno.ENOENT)) {
            return java.util.OptionalInt.empty();
        }
        check(command, r, kind + " ids after " + Integer.toUnsignedString(startId), null);
        return java.util.OptionalInt.of(attr.nextId());
    }

    private static Fd fdById(BpfCommand command, int id, String description) {
        long r = call(command, new GetFdByIdAttr(id));
        if (r < 0) {
            throw failure(command, r, description, null);
        }
        return Fd.adopt((int) r, description);
    }

    /** {@code BPF_LINK_CREATE}; the link is described as {@code link of <program>}. */
    public static Fd linkCreate(LinkCreateAttr attr) {
        Objects.requireNonNull(attr, "attr");
        if (attr.prog() == null) {
            throw new IllegalArgumentException("LinkCreateAttr needs progFd(...): the program to attach");
        }
        String subject = attr.prog() + " (attach type " + attr.attachType() + ")";
        long r = call(BpfCommand.BPF_LINK_CREATE, attr);
        if (r < 0) {
            throw failure(BpfCommand.BPF_LINK_CREATE, r, subject, null);
        }
        return Fd.adopt((int) r, "link of " + attr.prog().description());
    }

    /**
     * {@code BPF_ENABLE_STATS(BPF_STATS_RUN_TIME)}: the kernel counts run_cnt and run_time_ns of every program
     * until the returned fd (and every other such fd) is closed (Linux 5.8).
     */
    public static Fd enableStats() {
        long r = call(BpfCommand.BPF_ENABLE_STATS, new EnableStatsAttr(EnableStatsAttr.BPF_STATS_RUN_TIME));
        if (r < 0) {
            throw failure(BpfCommand.BPF_ENABLE_STATS, r, "BPF_STATS_RUN_TIME", null);
        }
        return Fd.adopt((int) r, "BPF run-time statistics");
    }

    /** {@code BPF_OBJ_GET_INFO_BY_FD} for a link: its type, id and program id. */
    public static LinkInfo linkInfo(Fd link) {
        try (Memory info = Attr.nativeBuffer(LinkInfo.SIZE)) {
            check(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, new InfoAttr(link, info)),
                    link, null);
            return new LinkInfo(info.getInt(LinkInfo.TYPE), info.getInt(LinkInfo.ID), info.getInt(LinkInfo.PROG_ID));
        }
    }

    /** {@code BPF_PROG_ATTACH}: attaches a program to a cgroup, sockmap, netns or device hook. */
    public static void progAttach(ProgAttachAttr attr) {
        Objects.requireNonNull(attr, "attr");
        long r = call(BpfCommand.BPF_PROG_ATTACH, attr);
        if (r < 0) {
            throw failure(BpfCommand.BPF_PROG_ATTACH, r, "attach type " + attr.attachType(), null);
        }
    }

    /** {@code BPF_PROG_DETACH}: undoes a {@link #progAttach} with the same target, program and attach type. */
    public static void progDetach(ProgAttachAttr attr) {
        Objects.requireNonNull(attr, "attr");
        long r = call(BpfCommand.BPF_PROG_DETACH, attr);
        if (r < 0) {
            throw failure(BpfCommand.BPF_PROG_DETACH, r, "attach type " + attr.attachType(), null);
        }
    }

    /**
     * {@code BPF_RAW_TRACEPOINT_OPEN}: attaches a raw tracepoint program (name required) or a tracing
     * program whose target was fixed at load time (name null).
     */
    public static Fd rawTracepointOpen(String nameOrNull, Fd prog) {
        Objects.requireNonNull(prog, "prog");
        String what = nameOrNull == null ? "attachment" : "raw tracepoint '" + nameOrNull + "'";
        long r = call(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, new RawTracepointAttr(nameOrNull, prog));
        if (r < 0) {
            throw failure(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, r, prog + " " + what, null);
        }
        return Fd.adopt((int) r, what + " of " + prog.description());
    }

    // ---------------------------------------------------------------- plumbing

    /** Calls {@code bpf(2)}; returns the non-negative result or {@code -errno}. */
    static long call(BpfCommand command, Attr attr) {
        // the fds the attr names stay open (their numbers ours) until the kernel has returned
        attr.acquireFds();
        long r;
        try {
            r = NativeCalls.INSTANCE.syscall(syscallNumber(), command.number(), attr.address(), attr.size());
        } finally {
            attr.releaseFds();
        }
        Reference.reachabilityFence(attr);
        return r;
    }

    private static long syscallNumber() {
        long n = syscallNumber;
        if (n < 0) {
            n = Libc.bpfSyscallNumber();
            syscallNumber = n;
        }
        return n;
    }

    private static boolean isErrno(long r, Errno errno) {
        return r < 0 && -r == errno.number();
    }

    private static void check(BpfCommand command, long r, Fd subject, MapInfo info) {
        check(command, r, subject.toString(), info);
    }

    private static void check(BpfCommand command, long r, String subject, MapInfo info) {
        if (r < 0) {
            throw failure(command, r, subject, info);
        }
    }

    private static BpfSyscallException failure(BpfCommand command, long r, String subject, MapInfo info) {
        int errno = (int) -r;
        return new BpfSyscallException(command, errno, subject, Hints.forBpf(command, errno, info));
    }

    /** The map's info, fetched once per {@link Fd} (key and value sizes never change). */
    private static MapInfo info(Fd map) {
        Objects.requireNonNull(map, "map");
        MapInfo info = map.mapInfo;
        if (info == null) {
            info = mapInfo(map);
            map.mapInfo = info;
        }
        return info;
    }

    private static void requireKey(Fd map, MapInfo info, byte[] key, String what) {
        int have = key == null ? 0 : key.length;
        if (have != info.keySize()) {
            throw new IllegalArgumentException(what + " for " + map + " must be " + info.keySize() + " bytes (the map's "
                    + "key_size" + (info.keySize() == 0 ? "; pass null" : "") + "), got "
                    + (key == null ? "null" : have + " bytes"));
        }
    }

    private static void requireValue(Fd map, MapInfo info, byte[] value, String what) {
        Objects.requireNonNull(value, what);
        long need = info.userValueSize();
        if (value.length != need) {
            throw new IllegalArgumentException(what + " for " + map + " must be " + need + " bytes ("
                    + (info.isPerCpu() ? "round_up(value_size " + info.valueSize() + ", 8) x "
                            + SystemInfo.possibleCpuCount() + " possible CPUs" : "the map's value_size")
                    + "), got " + value.length);
        }
    }

    private static void requireBatch(Fd map, MapInfo info, byte[] keys, byte[] valuesOrNull, int count) {
        Objects.requireNonNull(keys, "keys");
        if (count <= 0) {
            throw new IllegalArgumentException("batch count for " + map + " must be positive, got " + count);
        }
        long needKeys = (long) count * info.keySize();
        if (keys.length != needKeys) {
            throw new IllegalArgumentException("keys for " + map + " must be " + count + " x " + info.keySize()
                    + " = " + needKeys + " bytes, got " + keys.length);
        }
        if (valuesOrNull != null) {
            long needValues = count * info.userValueSize();
            if (valuesOrNull.length != needValues) {
                throw new IllegalArgumentException("values for " + map + " must be " + count + " x "
                        + info.userValueSize() + " = " + needValues + " bytes, got " + valuesOrNull.length);
            }
        }
    }

    private static void readInto(Scratch s, long slice, byte[] out) {
        if (slice != 0) {
            s.read(slice, out);
        }
    }

    /** The scratch bytes of a per-element call: its attr, the key and the value (or next key) buffer. */
    private static long elemScratch(byte[] key, byte[] value) {
        return Scratch.slot(MapElemAttr.SIZE) + Scratch.slot(key == null ? 0 : key.length)
                + Scratch.slot(value == null ? 0 : value.length);
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return b.toString();
    }
}

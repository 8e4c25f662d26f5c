package dev.bpfunit.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The common part of every {@code XxxAttr}: a zeroed native buffer laid out like one member of
 * {@code union bpf_attr}, written at explicit offsets, in native byte order.
 *
 * <p>A pointer field is a u64 holding the address of native memory this object owns (or of a
 * {@link Scratch} slice, which the open scratch keeps alive); an fd field
 * holds the number of an {@link Fd} this object keeps a reference to, so that neither is freed or
 * closed by the garbage collector before the call. The buffer is either the attr's own or, for the
 * commands called per map element or per test run, a slice of the thread's {@link Scratch} valid until
 * that is closed. Not thread-safe: build, call, read, on one thread.
 */
abstract class Attr {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    /** The attr's own memory; null for an attr in a {@link Scratch}. */
    private final Pointer buf;
    private final long address;
    private final int size;
    /** For an attr in a {@link Scratch}: the scratch's buffer and where this attr starts in it; else null. */
    private final ByteBuffer view;
    private final int viewBase;
    /**
     * What each pointer or fd field refers to, at index offset / 4, kept reachable as long as the attr
     * is; null until one is set.
     */
    private Object[] referents;
    /**
     * The {@link Fd}s whose numbers this attr holds, acquired around the call (and so kept reachable until it):
     * the first in {@link #fd0}, more (rare: a link's target and program) in {@link #moreFds}.
     */
    private Fd fd0;
    /** Set by {@link #freeNativeMemory}. */
    private boolean freed;
    private Fd[] moreFds;
    private int fdCount;

    Attr(int size) {
        Memory m = new Memory(size);
        m.clear();
        this.buf = m;
        this.address = Pointer.nativeValue(m);
        this.size = size;
        this.view = null;
        this.viewBase = 0;
    }

    /** An attr in a zeroed slice of {@code scratch}, which must stay open until after the call. */
    Attr(Scratch scratch, int size) {
        this.buf = null;
        this.address = scratch.zeroed(size);
        this.size = size;
        this.view = scratch.view();
        this.viewBase = scratch.offsetOf(address, size);
    }

    /** The size passed to {@code bpf(2)}: the end of the last field this attr knows. */
    final int size() {
        return size;
    }

    /** The attr's memory as a JNA pointer (for an attr in a {@link Scratch}, valid until it is closed). */
    final Pointer pointer() {
        return buf != null ? buf : new Pointer(address);
    }

    /** The attr's address, for {@code bpf(2)}. */
    final long address() {
        requireNotFreed();
        return address;
    }

    /**
     * Frees now, not when the garbage collector gets to them, the native memory this attr made: its own buffer and
     * what its pointer fields point at, and {@code log}, its log buffer (null: none; not always pointed at: a level of
     * 0 passes no buffer). Only for attrs whose pointer fields point at nothing but memory they made
     * ({@link ProgLoadAttr}, {@link BtfLoadAttr}). A program load's copies and its 64 KB statistics log left to the
     * collector piled up between collections (fresh pages to fault in for every load); after this, the attr can
     * no longer be called with, and its log no longer read.
     */
    final void freeNativeMemory(Memory log) {
        freed = true;
        if (log != null) {
            log.close();
        }
        if (referents != null) {
            for (Object referent : referents) {
                if (referent instanceof Memory memory) {
                    memory.close();
                }
            }
            referents = null;
        }
        if (buf instanceof Memory memory) {
            memory.close();
        }
    }

    /** @throws IllegalStateException once {@link #freeNativeMemory} ran: nothing may touch the freed memory */
    final void requireNotFreed() {
        if (freed) {
            throw new IllegalStateException(getClass().getSimpleName() + " was closed: its memory is freed");
        }
    }

    /** The attr's own buffer, while it is not freed. */
    private Pointer own() {
        requireNotFreed();
        return buf;
    }

    final void u32(int offset, int value) {
        if (view != null) {
            view.putInt(viewBase + field(offset, 4), value);
        } else {
            own().setInt(offset, value);
        }
    }

    final int u32(int offset) {
        return view != null ? view.getInt(viewBase + field(offset, 4)) : own().getInt(offset);
    }

    final void u64(int offset, long value) {
        if (view != null) {
            view.putLong(viewBase + field(offset, 8), value);
        } else {
            own().setLong(offset, value);
        }
    }

    final long u64(int offset) {
        return view != null ? view.getLong(viewBase + field(offset, 8)) : own().getLong(offset);
    }

    /** {@code offset}, checked to be a field of this attr (a {@link Memory} checks its own bounds). */
    private int field(int offset, int width) {
        if (offset < 0 || offset + width > size) {
            throw new IllegalStateException("field at " + offset + " of " + width + " bytes is outside a "
                    + size + "-byte " + getClass().getSimpleName());
        }
        return offset;
    }

    /**
     * Points the u64 at {@code offset} to {@code memory} (or NULL) and keeps it alive: native memory
     * this attr owns, or a {@link Scratch} slice.
     */
    final void pointer(int offset, Pointer memory) {
        keep(offset, memory);
        u64(offset, memory == null ? 0 : Pointer.nativeValue(memory));
    }

    /**
     * Writes the address of a {@link Scratch} slice (or NULL) into the u64 at {@code offset}; the
     * scratch, not this attr, keeps it alive until the call is over.
     */
    final void address(int offset, long slice) {
        u64(offset, slice);
    }

    /**
     * Writes the fd's number (or 0 for none) at {@code offset}; the {@link Fd} is {@linkplain #guard guarded}, which
     * also keeps it reachable.
     */
    final void fd(int offset, Fd fd) {
        u32(offset, fd == null ? 0 : fd.raw());
        guard(fd);
    }

    /**
     * Adds an {@link Fd} whose number the kernel reads during the call (an attr field, or an array an attr
     * points to): {@link #acquireFds()} holds it in use around the call.
     */
    final void guard(Fd fd) {
        if (fd == null) {
            return;
        }
        if (fdCount == 0) {
            fd0 = fd;
        } else {
            if (moreFds == null) {
                moreFds = new Fd[4];
            } else if (fdCount - 1 == moreFds.length) {
                moreFds = java.util.Arrays.copyOf(moreFds, moreFds.length * 2);
            }
            moreFds[fdCount - 1] = fd;
        }
        fdCount++;
    }

    private Fd guarded(int i) {
        return i == 0 ? fd0 : moreFds[i - 1];
    }

    /**
     * Acquires every guarded {@link Fd} for the call; if one is closed, releases those acquired and throws.
     *
     * @throws dev.bpfunit.error.BpfException if one was closed since its number was written
     */
    final void acquireFds() {
        for (int i = 0; i < fdCount; i++) {
            try {
                guarded(i).acquire();
            } catch (RuntimeException e) {
                for (int j = 0; j < i; j++) {
                    guarded(j).release();
                }
                throw e;
            }
        }
    }

    /** Releases what {@link #acquireFds()} acquired. */
    final void releaseFds() {
        for (int i = 0; i < fdCount; i++) {
            guarded(i).release();
        }
    }

    private void keep(int offset, Object referent) {
        if (referents == null) {
            if (referent == null) {
                return;
            }
            referents = new Object[(size + 3) / 4];
        }
        referents[offset / 4] = referent;
    }

    /** Writes an object name into a {@code BPF_OBJ_NAME_LEN} field, as {@link #kernelName} makes it. */
    final void objName(int offset, String name) {
        byte[] bytes = kernelName(name).getBytes(StandardCharsets.US_ASCII);
        own().setMemory(offset, BpfConstants.BPF_OBJ_NAME_LEN, (byte) 0);
        own().write(offset, bytes, 0, bytes.length);
    }

    /**
     * The name as the kernel accepts it: only {@code [A-Za-z0-9_.]} kept, at most 15 characters (the
     * 16th byte is the NUL).
     */
    static String kernelName(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < BpfConstants.BPF_OBJ_NAME_LEN - 1; i++) {
            char c = name.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A native copy of {@code bytes}, or {@code null} (a NULL pointer) for null or empty input. */
    static Memory nativeCopy(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        Memory m = new Memory(bytes.length);
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    /** A zeroed native buffer of {@code size} bytes, or {@code null} for 0. */
    static Memory nativeBuffer(long size) {
        if (size == 0) {
            return null;
        }
        Memory m = new Memory(size);
        m.clear();
        return m;
    }

    /**
     * A buffer of {@code size} bytes for a log the kernel writes, holding the empty string. The kernel's text is
     * NUL-terminated, so only the first byte is cleared: zeroing all of a 64 KB buffer (with the attr's own
     * clearing, twice) for every program load took a quarter of a load's native time in a profile.
     */
    static Memory logBuffer(long size) {
        Memory m = new Memory(size);
        emptyText(m);
        return m;
    }

    /** Makes {@code m} hold the empty string again before the kernel writes a log into it. */
    static void emptyText(Memory m) {
        m.setByte(0, (byte) 0);
    }

    /** A NUL-terminated UTF-8 copy of {@code s}. */
    static Memory cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(bytes.length + 1L);
        m.write(0, bytes, 0, bytes.length);
        m.setByte(bytes.length, (byte) 0);
        return m;
    }

    /** The text in a log buffer up to its first NUL, or {@code ""} for no buffer. */
    /**
     * The NUL-terminated text at the start of a buffer, copied by its length and not by the buffer's size: a
     * verifier log buffer may be 1 GiB while the log in it is a few lines.
     */
    static String text(Memory m) {
        if (m == null) {
            return "";
        }
        long size = m.size();
        long length = 0;
        // most logs are a few lines in a buffer of 64 KB or more: scan from small chunks up, not the whole buffer
        int chunkSize = 4096;
        scan:
        while (length < size) {
            int n = (int) Math.min(chunkSize, size - length);
            byte[] chunk = m.getByteArray(length, n);
            for (int i = 0; i < n; i++) {
                if (chunk[i] == 0) {
                    length += i;
                    break scan;
                }
            }
            length += n;
            chunkSize = Math.min(chunkSize * 2, 1 << 20);
        }
        return length == 0 ? "" : new String(m.getByteArray(0, (int) length), StandardCharsets.UTF_8);
    }

    static byte[] copy(Memory m, int length) {
        return m == null || length == 0 ? new byte[0] : m.getByteArray(0, length);
    }

    static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, got " + value);
        }
    }
}

package dev.bpfunit.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread native memory for the short-lived buffers of one {@code bpf(2)} call (an attr, a key, a
 * value, test-run data), so that a map lookup or a test run allocates no JNA {@link Memory} of its own.
 *
 * <p>Use: {@code try (Scratch s = Scratch.open(total)) { ... }} where {@code total} is the sum of
 * {@link #slot}s of the sizes the call takes; then {@link #zeroed} and {@link #copyOf} hand out
 * 8-aligned slices of it. Each thread has its own buffer, grown on demand up to
 * {@value #RETAINED_MAX} bytes and kept for the next call; a larger request, or a call made while the
 * thread's buffer is already open (a nested call), gets a buffer of its own that {@link #close()}
 * frees. Never shared between threads, and a slice must not be used after {@link #close()}.
 *
 * <p>Slices are filled and read through a direct {@link ByteBuffer} over the same memory, which the JIT
 * turns into plain loads and stores, rather than through JNA's {@code Pointer} methods, one JNI call each.
 */
final class Scratch implements AutoCloseable {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    /** The largest buffer a thread keeps between calls; beyond it each call allocates and frees its own. */
    static final long RETAINED_MAX = 64 * 1024;
    private static final long INITIAL = 8 * 1024;
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(() -> new Scratch(true));

    private final boolean retained;
    private Memory memory;
    /** The whole of {@link #memory}, in native byte order. */
    private ByteBuffer view;
    private long base;
    private long capacity;
    /** The size asked for at {@link #open}: no slice may end beyond it, whatever the capacity. */
    private long limit;
    private long used;
    private boolean open;

    private Scratch(boolean retained) {
        this.retained = retained;
    }

    /** The bytes a slice of {@code size} takes: rounded up to 8, so every slice is 8-aligned. */
    static long slot(long size) {
        return (size + 7) & ~7L;
    }

    /**
     * This thread's scratch buffer, empty and with room for {@code bytes} (a sum of {@link #slot}s).
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    static Scratch open(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("scratch size must be between 0 and 2 GiB, got " + bytes);
        }
        Scratch s = CURRENT.get();
        if (s.open || bytes > RETAINED_MAX) {
            s = new Scratch(false);
        }
        s.reserve(bytes);
        s.limit = bytes;
        s.used = 0;
        s.open = true;
        return s;
    }

    private void reserve(long bytes) {
        if (memory != null && capacity >= bytes) {
            return;
        }
        long size = retained ? Math.min(RETAINED_MAX, Math.max(INITIAL, Long.highestOneBit(Math.max(1, bytes - 1)) << 1))
                : Math.max(8, bytes);
        if (memory != null) {
            memory.close();
        }
        memory = new Memory(size);
        view = memory.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        base = Pointer.nativeValue(memory);
        capacity = size;
    }

    /** The address of a zeroed slice of {@code size} bytes, or 0 (a NULL pointer) for 0. */
    long zeroed(long size) {
        if (size == 0) {
            return 0;
        }
        int offset = take(size);
        int end = offset + (int) slot(size);
        for (int i = offset; i < end; i += 8) {
            view.putLong(i, 0);
        }
        return base + offset;
    }

    /** A slice of {@code size} bytes whose contents are left as they are: for a buffer the kernel fills. */
    long uncleared(long size) {
        if (size == 0) {
            return 0;
        }
        return base + take(size);
    }

    /** The address of a slice holding a copy of {@code bytes}, or 0 (a NULL pointer) for null or empty input. */
    long copyOf(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return 0;
        }
        int offset = take(bytes.length);
        view.put(offset, bytes);
        return base + offset;
    }

    /** Copies {@code out.length} bytes from the start of {@code slice}, a slice of this scratch, into {@code out}. */
    void read(long slice, byte[] out) {
        view.get(offsetOf(slice, out.length), out);
    }

    /** Copies the first {@code length} bytes of {@code slice} into the start of {@code out}; nothing for 0. */
    void read(long slice, byte[] out, int length) {
        if (length == 0) {
            return;
        }
        if (length < 0 || length > out.length) {
            throw new IllegalArgumentException("cannot copy " + length + " bytes into " + out.length);
        }
        view.get(offsetOf(slice, length), out, 0, length);
    }

    /**
     * The first {@code length} bytes of {@code slice} as a read-only {@link ByteBuffer} in native order, positioned
     * at 0: a view of this scratch, valid until it is closed or the thread's next call reuses it.
     */
    ByteBuffer slice(long slice, long length) {
        if (length == 0) {
            return EMPTY;
        }
        int offset = offsetOf(slice, length);
        return view.slice(offset, (int) length).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** The whole buffer as a {@link ByteBuffer} in native order, for {@link Attr}'s fields in a slice. */
    ByteBuffer view() {
        return view;
    }

    /** Where {@code slice} starts in {@link #view()}, checking that {@code length} bytes of it are in this scratch. */
    int offsetOf(long slice, long length) {
        if (!open) {
            throw new IllegalStateException("scratch buffer used after close()");
        }
        long offset = slice == 0 ? -1 : slice - base;
        if (offset < 0 || length < 0 || offset + length > used) {
            throw new IllegalStateException("not a slice of this scratch buffer, or read beyond it");
        }
        return (int) offset;
    }

    private int take(long size) {
        if (!open) {
            throw new IllegalStateException("scratch buffer used after close()");
        }
        long need = slot(size);
        if (size < 0 || used + need > limit) {
            throw new IllegalStateException("scratch buffer of " + limit + " bytes (" + used
                    + " used) has no room for " + size + " more: the caller's open() size is wrong");
        }
        int offset = (int) used;
        used += need;
        return offset;
    }

    /** The thread's buffer is kept (not cleared: each slice is cleared or overwritten when handed out). */
    @Override
    public void close() {
        open = false;
        if (!retained) {
            memory.close();
            memory = null;
        }
    }
}

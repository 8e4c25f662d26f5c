package dev.bpfunit.sys;

import com.sun.jna.Pointer;
import dev.bpfunit.error.BpfException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A map's memory mapped into this process ({@code mmap} of a {@code BPF_F_MMAPABLE} array, as global
 * data sections are), read and written in place without a syscall per access.
 *
 * <p>Every access is bounds-checked against {@link #size()}, a write to a read-only mapping is
 * refused, and access after {@link #close()} throws instead of touching unmapped memory. Accesses and
 * {@code close()} may come from different threads. Multi-byte accessors use native byte order.
 */
public final class MappedRegion implements AutoCloseable {
    static {
        JnaBoot.prepare();    // before this class's first use of JNA (JnaBoot)
    }

    private static final Cleaner CLEANER = Cleaner.create();

    private final String description;
    private final long size;
    private final boolean writable;
    private final Pointer base;
    /**
     * The whole region as a direct buffer in native order, whose accesses the JIT compiles to plain loads and
     * stores; null for a region of 2 GiB or more, which is accessed through {@link #base} (a JNI call each).
     */
    private final ByteBuffer view;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Unmapper unmapper;
    private final Cleaner.Cleanable cleanable;
    private boolean closed;

    MappedRegion(long address, long size, boolean writable, String description) {
        this.base = new Pointer(address);
        this.size = size;
        this.writable = writable;
        this.description = description;
        this.view = size <= Integer.MAX_VALUE ? base.getByteBuffer(0, size).order(ByteOrder.nativeOrder()) : null;
        this.unmapper = new Unmapper(address, size);
        this.cleanable = CLEANER.register(this, unmapper);
    }

    /** Bytes mapped. */
    public long size() {
        return size;
    }

    /** Whether the mapping was made writable. */
    public boolean isWritable() {
        return writable;
    }

    public byte get(long offset) {
        Lock l = readLock(offset, 1);
        try {
            return view != null ? view.get((int) offset) : base.getByte(offset);
        } finally {
            l.unlock();
        }
    }

    public void put(long offset, byte value) {
        Lock l = writeAccess(offset, 1);
        try {
            if (view != null) {
                view.put((int) offset, value);
            } else {
                base.setByte(offset, value);
            }
        } finally {
            l.unlock();
        }
    }

    public int getInt(long offset) {
        Lock l = readLock(offset, 4);
        try {
            return view != null ? view.getInt((int) offset) : base.getInt(offset);
        } finally {
            l.unlock();
        }
    }

    public void putInt(long offset, int value) {
        Lock l = writeAccess(offset, 4);
        try {
            if (view != null) {
                view.putInt((int) offset, value);
            } else {
                base.setInt(offset, value);
            }
        } finally {
            l.unlock();
        }
    }

    public long getLong(long offset) {
        Lock l = readLock(offset, 8);
        try {
            return view != null ? view.getLong((int) offset) : base.getLong(offset);
        } finally {
            l.unlock();
        }
    }

    public void putLong(long offset, long value) {
        Lock l = writeAccess(offset, 8);
        try {
            if (view != null) {
                view.putLong((int) offset, value);
            } else {
                base.setLong(offset, value);
            }
        } finally {
            l.unlock();
        }
    }

    /** A copy of {@code length} bytes starting at {@code offset}. */
    public byte[] getBytes(long offset, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        Lock l = readLock(offset, length);
        try {
            if (view == null) {
                return base.getByteArray(offset, length);
            }
            byte[] out = new byte[length];
            view.get((int) offset, out);
            return out;
        } finally {
            l.unlock();
        }
    }

    /** Writes all of {@code bytes} starting at {@code offset}. */
    public void putBytes(long offset, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        Lock l = writeAccess(offset, bytes.length);
        try {
            if (view != null) {
                view.put((int) offset, bytes);
            } else {
                base.write(offset, bytes, 0, bytes.length);
            }
        } finally {
            l.unlock();
        }
    }

    /** Unmaps the region; later calls do nothing. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            cleanable.clean();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "mapping of " + description + " (" + size + " bytes, " + (writable ? "read-write" : "read-only") + ")";
    }

    /** Holds the read lock (the region stays mapped) for an access of {@code length} bytes at {@code offset}. */
    private Lock readLock(long offset, long length) {
        Lock l = lock.readLock();
        l.lock();
        try {
            check(offset, length);
        } catch (RuntimeException e) {
            l.unlock();
            throw e;
        }
        return l;
    }

    private Lock writeAccess(long offset, long length) {
        if (!writable) {
            throw new BpfException("cannot write to the read-only " + this + ": map it with writable = true");
        }
        return readLock(offset, length);
    }

    private void check(long offset, long length) {
        if (closed) {
            throw new BpfException(this + " is closed");
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("bytes [" + offset + ", " + (offset + length) + ") are outside the "
                    + size + " bytes of the " + this);
        }
    }

    private static final class Unmapper implements Runnable {
        private final long address;
        private final long size;

        Unmapper(long address, long size) {
            this.address = address;
            this.size = size;
        }

        @Override
        public void run() {
            NativeCalls.INSTANCE.munmap(address, size);
        }
    }
}

package dev.bpfunit.sys;

import com.sun.jna.Pointer;
import dev.bpfunit.error.BpfException;
import java.lang.ref.Cleaner;
import java.util.Objects;
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
    private static final Cleaner CLEANER = Cleaner.create();

    private final String description;
    private final long size;
    private final boolean writable;
    private final Pointer base;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Unmapper unmapper;
    private final Cleaner.Cleanable cleanable;
    private boolean closed;

    MappedRegion(Pointer base, long size, boolean writable, String description) {
        this.base = base;
        this.size = size;
        this.writable = writable;
        this.description = description;
        this.unmapper = new Unmapper(Pointer.nativeValue(base), size);
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
        return read(offset, 1, () -> base.getByte(offset));
    }

    public void put(long offset, byte value) {
        write(offset, 1, () -> base.setByte(offset, value));
    }

    public int getInt(long offset) {
        return read(offset, 4, () -> base.getInt(offset));
    }

    public void putInt(long offset, int value) {
        write(offset, 4, () -> base.setInt(offset, value));
    }

    public long getLong(long offset) {
        return read(offset, 8, () -> base.getLong(offset));
    }

    public void putLong(long offset, long value) {
        write(offset, 8, () -> base.setLong(offset, value));
    }

    /** A copy of {@code length} bytes starting at {@code offset}. */
    public byte[] getBytes(long offset, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, got " + length);
        }
        return read(offset, length, () -> base.getByteArray(offset, length));
    }

    /** Writes all of {@code bytes} starting at {@code offset}. */
    public void putBytes(long offset, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        write(offset, bytes.length, () -> base.write(offset, bytes, 0, bytes.length));
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

    private <T> T read(long offset, long length, java.util.function.Supplier<T> access) {
        lock.readLock().lock();
        try {
            check(offset, length);
            return access.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void write(long offset, long length, Runnable access) {
        if (!writable) {
            throw new BpfException("cannot write to the read-only " + this + ": map it with writable = true");
        }
        read(offset, length, () -> {
            access.run();
            return null;
        });
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
            Libc.munmap(new Pointer(address), size);
        }
    }
}

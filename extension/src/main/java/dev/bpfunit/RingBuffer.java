package dev.bpfunit;

import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.MappedRegion;
import dev.bpfunit.sys.SystemInfo;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the records BPF programs submitted to a {@code BPF_MAP_TYPE_RINGBUF} map, straight from the
 * kernel's pages mapped into this process: typically right after a test run, to see the events the run
 * produced. Get one with {@link BpfMap#ringBuffer()} or {@link BpfObject#ringBuffer(String)}; it is closed
 * with its map.
 *
 * <p>Layout (as libbpf's {@code ring_buffer__consume} reads it): a read-write consumer page holding
 * {@code consumer_pos}, then a read-only producer page holding {@code producer_pos}, followed by the data
 * area, mapped twice in a row so that a record wrapping around the end reads as one piece. Each record
 * starts with an 8-byte header: a u32 length with the busy bit (31: reserved, not yet submitted) and the
 * discard bit (30: {@code bpf_ringbuf_discard}), and a u32 page offset. Discarded records are skipped and
 * counted; reading stops at a busy one.
 */
public final class RingBuffer implements AutoCloseable {
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    static final int HEADER_SIZE = 8;

    private final BpfMap map;
    private final long dataSize;
    private final long mask;
    private final MappedRegion consumer;
    private final MappedRegion producer;
    private final int page;
    private long discarded;

    RingBuffer(BpfMap map) {
        this.map = map;
        this.page = SystemInfo.pageSize();
        this.dataSize = Integer.toUnsignedLong(map.info().maxEntries());
        this.mask = dataSize - 1;
        this.consumer = Bpf.mmap(map.fd(), 0, page, true);
        try {
            this.producer = Bpf.mmap(map.fd(), page, page + 2 * dataSize, false);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /** The next submitted record, consumed; empty when there is none (or the next one is still reserved). */
    public synchronized Optional<byte[]> poll() {
        while (true) {
            long cons = consumer.getLong(0);
            VarHandle.acquireFence();
            long prod = producer.getLong(0);
            VarHandle.acquireFence();
            if (cons >= prod) {
                return Optional.empty();
            }
            int header = producer.getInt(page + (cons & mask));
            VarHandle.acquireFence();
            if ((header & BUSY_BIT) != 0) {
                return Optional.empty();
            }
            int length = header & ~(BUSY_BIT | DISCARD_BIT);
            byte[] record = (header & DISCARD_BIT) != 0 ? null
                    : producer.getBytes(page + (cons & mask) + HEADER_SIZE, length);
            long next = cons + ((length + HEADER_SIZE + 7) & ~7L);
            VarHandle.releaseFence();
            consumer.putLong(0, next);
            if (record != null) {
                return Optional.of(record);
            }
            discarded++;
        }
    }

    /** Every record submitted and not read yet, oldest first, consumed. */
    public synchronized List<byte[]> readAll() {
        List<byte[]> out = new ArrayList<>();
        for (Optional<byte[]> r = poll(); r.isPresent(); r = poll()) {
            out.add(r.get());
        }
        return out;
    }

    /**
     * Waits up to {@code timeout} until at least {@code count} records came, and returns every record read (consumed),
     * oldest first; fails with {@code waited 2 s for 1 record from ring buffer 'events', got 0}.
     */
    public List<byte[]> await(int count, java.time.Duration timeout) {
        return Waits.atLeast(count, timeout, this::readAll, "record", "ring buffer '" + map.name() + "'");
    }

    /** Every unread record decoded with {@code codec} (for example {@code MapCodec.btf(btf, typeId)}). */
    public <T> List<T> readAll(MapCodec<T> codec) {
        return readAll().stream().map(codec::decode).toList();
    }

    /** Bytes submitted and not yet read, headers and discarded records included. */
    public synchronized long pending() {
        return producer.getLong(0) - consumer.getLong(0);
    }

    /** Records skipped because the program discarded them ({@code bpf_ringbuf_discard}). */
    public synchronized long discarded() {
        return discarded;
    }

    /** The data area's size in bytes (the map's {@code max_entries}). */
    public long capacity() {
        return dataSize;
    }

    /** Unmaps the pages; idempotent. */
    @Override
    public synchronized void close() {
        try {
            producer.close();
        } finally {
            consumer.close();
        }
    }

    @Override
    public String toString() {
        return "ring buffer of " + map;
    }
}

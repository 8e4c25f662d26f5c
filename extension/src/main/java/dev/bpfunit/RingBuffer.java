package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfValue;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.MappedRegion;
import dev.bpfunit.sys.SystemInfo;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

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
 *
 * <p>The reads that decode ({@code readAll} by struct name, by Java record, by the map's record type or with a
 * {@link MapCodec}) consume all the records they return or none: what can be checked before reading (the struct's
 * name, a Java record against the struct) is checked first, and a record that fails to decode fails the call and
 * leaves every record in the buffer.
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
        List<byte[]> one = consume(1, r -> r);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    /** Every record submitted and not read yet, oldest first, consumed. */
    public synchronized List<byte[]> readAll() {
        return consume(Integer.MAX_VALUE, r -> r);
    }

    /**
     * Waits up to {@code timeout} until at least {@code count} records came, and returns every record read (consumed),
     * oldest first; fails with {@code waited 2 s for 1 record from ring buffer 'events', got 0}.
     */
    public List<byte[]> await(int count, java.time.Duration timeout) {
        return Waits.atLeast(count, timeout, this::readAll, "record", "ring buffer '" + map.name() + "'");
    }

    /**
     * As {@link #await(int, java.time.Duration)}, each record decoded as the struct named {@code typeName}
     * ({@link #readAll(String)}); a struct the object's BTF does not have fails at once.
     */
    public List<BtfValue> await(int count, java.time.Duration timeout, String typeName) {
        return Waits.atLeast(count, timeout, () -> readAll(typeName), "record", "ring buffer '" + map.name() + "'");
    }

    /**
     * As {@link #await(int, java.time.Duration)}, each record decoded as a Java record ({@link #readAll(Class)}):
     * a record type that does not match the struct fails at once, consuming nothing.
     */
    public <R extends Record> List<R> await(int count, java.time.Duration timeout, Class<R> recordType) {
        return Waits.atLeast(count, timeout, () -> readAll(recordType), "record", "ring buffer '" + map.name() + "'");
    }

    /**
     * Every unread record decoded with {@code codec} (for example {@code MapCodec.btf(btf, typeId)}), consumed; when
     * the codec fails on one of them, none is consumed.
     */
    public <T> List<T> readAll(MapCodec<T> codec) {
        return consume(Integer.MAX_VALUE, codec::decode);
    }

    /**
     * Every unread record decoded as the struct (or union, or typedef) named {@code typeName} in the object's
     * BTF: {@code ring.readAll("event")} for {@code struct event}. Each record must be exactly that type's size:
     * when one is not, none is consumed (read them as bytes with {@link #readAll()}).
     */
    public List<BtfValue> readAll(String typeName) {
        Btf btf = requireBtf();
        int id = BtfRecords.typeNamed(btf, typeName, "ring buffer '" + map.name() + "'");
        return consume(Integer.MAX_VALUE, r -> decode(btf, id, r));
    }

    /**
     * Every unread record decoded by the record type the map's definition names (Aya's {@code RingBuf<T>} and a
     * C {@code __type(value, struct event)} on a ring buffer carry one; the kernel never sees it). As with
     * {@link #readAll(String)}, a record of another size fails the call and none is consumed.
     */
    public List<BtfValue> readAllValues() {
        Btf btf = requireBtf();
        int id = map.spec().btfValueTypeId();
        if (id == 0) {
            throw new BpfException("ring buffer '" + map.name() + "': its definition names no record type; "
                    + "name the struct: readAll(\"event\"), or add __type(value, struct event) to the definition");
        }
        return consume(Integer.MAX_VALUE, r -> decode(btf, id, r));
    }

    /**
     * Every unread record as a Java record whose components are matched to the struct's fields by name
     * ({@code frameLen} also matches {@code frame_len}). The struct is the map's declared record type if it has
     * one, else the struct named like the record in snake case ({@code DropEvent}: {@code DropEvent}, then
     * {@code drop_event}).
     *
     * <p>The record type is checked against the struct before anything is read, even when no record is pending:
     * a component naming no field, or a field of a type the component cannot take, fails the call and leaves the
     * records in the buffer. What depends on a record's bytes (its size, an enum value that names no enumerator,
     * the record's constructor refusing a value) fails the call too, and none of the records is consumed.
     */
    public <R extends Record> List<R> readAll(Class<R> recordType) {
        Btf btf = requireBtf();
        int id = map.spec().btfValueTypeId();
        if (id == 0) {
            String simple = recordType.getSimpleName();
            id = btf.findId(simple, dev.bpfunit.btf.Struct.class)
                    .orElseGet(() -> BtfRecords.typeNamed(btf, BtfRecords.snake(simple), "ring buffer '"
                            + map.name() + "' (record " + simple + ")"));
        }
        return readAll(btf, id, recordType);
    }

    /**
     * Every unread record as a Java record decoded by the struct named {@code typeName}; checked and, when it fails,
     * consuming nothing, as {@link #readAll(Class)}.
     */
    public <R extends Record> List<R> readAll(String typeName, Class<R> recordType) {
        Btf btf = requireBtf();
        return readAll(btf, BtfRecords.typeNamed(btf, typeName, "ring buffer '" + map.name() + "'"), recordType);
    }

    private <R extends Record> List<R> readAll(Btf btf, int typeId, Class<R> recordType) {
        Function<BtfValue, R> reader;
        try {
            reader = BtfRecords.reader(btf, typeId, recordType);
        } catch (RuntimeException e) {
            throw new BpfException("ring buffer '" + map.name() + "': " + e.getMessage(), e);
        }
        return consume(Integer.MAX_VALUE, r -> reader.apply(decode(btf, typeId, r)));
    }

    private Btf requireBtf() {
        return map.objectBtf().orElseThrow(() -> new BpfException("ring buffer '" + map.name() + "': the object has no "
                + "BTF to decode records by; compile with clang -g, or read bytes with readAll()"));
    }

    private static BtfValue decode(Btf btf, int typeId, byte[] record) {
        long size = btf.sizeOf(typeId);
        if (record.length != size) {
            throw new BpfException(record.length + " bytes, not a " + btf.describe(typeId) + " (" + size + " bytes)");
        }
        return BtfValue.decode(btf, typeId, record);
    }

    /**
     * Up to {@code limit} submitted records, oldest first, each decoded, then consumed together: when
     * {@code decode} fails on one, the exception names it and nothing is consumed (consumer_pos and the count of
     * discarded records stay as they were).
     */
    private synchronized <T> List<T> consume(int limit, Function<byte[], T> decode) {
        Scan scan = scan(limit, true);
        List<T> out = new ArrayList<>(scan.records().size());
        for (int i = 0; i < scan.records().size(); i++) {
            try {
                out.add(decode.apply(scan.records().get(i)));
            } catch (RuntimeException e) {
                int n = scan.records().size();
                throw new BpfException("ring buffer '" + map.name() + "': unread record " + (i + 1) + " of " + n
                        + ": " + e.getMessage() + "; nothing was consumed, " + (n == 1 ? "it stays" : "all " + n
                        + " stay") + " in the buffer (readAll() reads them as bytes)", e);
            }
        }
        if (scan.end() != scan.start()) {
            VarHandle.releaseFence();
            consumer.putLong(0, scan.end());
            discarded += scan.discarded();
        }
        return out;
    }

    /**
     * What {@link #scan} found: the records' copies ({@code null} each when it only counted them), and where the
     * consumer would be after them.
     */
    private record Scan(long start, long end, List<byte[]> records, long discarded) {
    }

    /**
     * Copies up to {@code limit} submitted records from consumer_pos on without consuming them (with {@code copy}
     * false, counts them), skipping (and counting) discarded ones, and stopping at the producer's position or at a
     * record still reserved.
     */
    private Scan scan(int limit, boolean copy) {
        long start = consumer.getLong(0);
        VarHandle.acquireFence();
        long cons = start;
        List<byte[]> records = new ArrayList<>();
        long skipped = 0;
        while (records.size() < limit) {
            long prod = producer.getLong(0);
            VarHandle.acquireFence();
            if (cons >= prod) {
                break;
            }
            int header = producer.getInt(page + (cons & mask));
            VarHandle.acquireFence();
            if ((header & BUSY_BIT) != 0) {
                break;
            }
            int length = header & ~(BUSY_BIT | DISCARD_BIT);
            if ((header & DISCARD_BIT) != 0) {
                skipped++;
            } else {
                records.add(copy ? producer.getBytes(page + (cons & mask) + HEADER_SIZE, length) : null);
            }
            cons += (length + HEADER_SIZE + 7) & ~7L;
        }
        return new Scan(start, cons, records, skipped);
    }

    /**
     * Bytes, not records, submitted and not yet read: each record counts its 8-byte header and its length rounded
     * up to 8, and discarded records and records still reserved count too (48 for two 16-byte records).
     * {@link #pendingRecords()} counts records.
     */
    public synchronized long pending() {
        return producer.getLong(0) - consumer.getLong(0);
    }

    /**
     * The number of records {@link #readAll()} would return now: submitted and not discarded, up to the first
     * record still reserved (the ones after it wait for it). Nothing is consumed.
     */
    public synchronized int pendingRecords() {
        return scan(Integer.MAX_VALUE, false).records().size();
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

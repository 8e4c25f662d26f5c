package dev.bpfunit;

import dev.bpfunit.error.Closeables;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.sys.Bpf;
import dev.bpfunit.sys.BpfSyscallException;
import dev.bpfunit.sys.Fd;
import dev.bpfunit.sys.MappedRegion;
import dev.bpfunit.sys.Perf;
import dev.bpfunit.sys.SystemInfo;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads what BPF programs wrote with {@code bpf_perf_event_output} into a {@code PERF_EVENT_ARRAY} map:
 * one BPF output perf event per CPU, its buffer mapped into this process and its fd stored in the CPU's
 * slot of the map. Get one with {@link BpfMap#perfReader()}; it is closed with its map (events first).
 *
 * <p>A sample's data is what the kernel recorded: the bytes the program passed, followed by up to 7 bytes
 * of padding to the 8-byte record alignment (as libbpf and cilium/ebpf hand it over).
 */
public final class PerfReader implements AutoCloseable {
    /** Data pages per CPU (a power of two). */
    static final int DEFAULT_PAGES = 8;

    /**
     * One sample.
     *
     * @param cpu  the CPU whose buffer held it
     * @param data the raw bytes, with the kernel's padding
     */
    public record Sample(int cpu, byte[] data) {
        public Sample {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The first {@code size} bytes of the data: the struct the program wrote, without padding. */
        public byte[] data(int size) {
            if (size < 0 || size > data.length) {
                throw new IllegalArgumentException("sample on CPU " + cpu + " has " + data.length + " bytes, asked "
                        + size);
            }
            return Arrays.copyOf(data, size);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sample s && cpu == s.cpu && Arrays.equals(data, s.data);
        }

        @Override
        public int hashCode() {
            return 31 * cpu + Arrays.hashCode(data);
        }
    }

    private record CpuBuffer(int cpu, Fd event, MappedRegion ring) {
    }

    private final BpfMap map;
    private final List<CpuBuffer> buffers = new ArrayList<>();
    private long lost;

    PerfReader(BpfMap map, int pages) {
        this.map = map;
        int maxEntries = map.info().maxEntries();
        BpfSyscallException firstFailure = null;
        try {
            for (int cpu : SystemInfo.possibleCpus()) {
                if (cpu >= maxEntries) {
                    break;
                }
                Fd event;
                try {
                    event = Perf.openBpfOutput(cpu);
                } catch (BpfSyscallException e) {
                    firstFailure = firstFailure == null ? e : firstFailure;
                    continue; // an offline CPU has no event; programs cannot run there either
                }
                MappedRegion ring;
                try {
                    ring = Perf.mmap(event, pages);
                } catch (RuntimeException e) {
                    event.close();
                    throw e;
                }
                buffers.add(new CpuBuffer(cpu, event, ring));
                Perf.enable(event);
                byte[] key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(cpu).array();
                byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(event.raw()).array();
                Bpf.mapUpdateElem(map.fd(), key, value, BpfMap.ANY);
            }
            if (buffers.isEmpty()) {
                throw new BpfException(map + ": could not open a BPF output perf event on any CPU", firstFailure);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Every sample written and not read yet, CPU by CPU, oldest first on each; consumed. */
    public synchronized List<Sample> readAll() {
        List<Sample> out = new ArrayList<>();
        for (CpuBuffer b : buffers) {
            read(b, out);
        }
        return out;
    }

    /**
     * Waits up to {@code timeout} until at least {@code count} samples came, and returns every sample read (consumed);
     * fails saying how many came.
     */
    public List<Sample> await(int count, java.time.Duration timeout) {
        return Waits.atLeast(count, timeout, this::readAll, "sample", "perf event array '" + map.name() + "'");
    }

    /** Samples the kernel dropped because a buffer was full ({@code PERF_RECORD_LOST}), so far. */
    public synchronized long lost() {
        return lost;
    }

    /** The CPUs with an event (the online possible CPUs below the map's max_entries). */
    public List<Integer> cpus() {
        return buffers.stream().map(CpuBuffer::cpu).toList();
    }

    private void read(CpuBuffer b, List<Sample> out) {
        MappedRegion r = b.ring();
        long head = r.getLong(Perf.DATA_HEAD);
        VarHandle.acquireFence();
        long tail = r.getLong(Perf.DATA_TAIL);
        long offset = r.getLong(Perf.DATA_OFFSET);
        long size = r.getLong(Perf.DATA_SIZE);
        while (tail < head) {
            byte[] header = wrapped(r, offset, size, tail, 8);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder());
            int type = h.getInt(0);
            int recordSize = Short.toUnsignedInt(h.getShort(6));
            if (recordSize < 8) {
                throw new BpfException(this + ": corrupt perf record of " + recordSize + " bytes on CPU " + b.cpu());
            }
            byte[] body = wrapped(r, offset, size, tail + 8, recordSize - 8);
            ByteBuffer bb = ByteBuffer.wrap(body).order(ByteOrder.nativeOrder());
            if (type == Perf.PERF_RECORD_SAMPLE && body.length >= 4) {
                int rawSize = Math.min(bb.getInt(0), body.length - 4);
                out.add(new Sample(b.cpu(), Arrays.copyOfRange(body, 4, 4 + rawSize)));
            } else if (type == Perf.PERF_RECORD_LOST && body.length >= 16) {
                lost += bb.getLong(8);
            }
            tail += recordSize;
        }
        VarHandle.releaseFence();
        r.putLong(Perf.DATA_TAIL, tail);
    }

    private static byte[] wrapped(MappedRegion r, long offset, long size, long position, int length) {
        long start = position % size;
        if (start + length <= size) {
            return r.getBytes(offset + start, length);
        }
        int first = (int) (size - start);
        byte[] out = new byte[length];
        System.arraycopy(r.getBytes(offset + start, first), 0, out, 0, first);
        System.arraycopy(r.getBytes(offset, length - first), 0, out, first, length - first);
        return out;
    }

    /** Unmaps the buffers and closes the events; idempotent. */
    @Override
    public synchronized void close() {
        List<AutoCloseable> all = new ArrayList<>();
        for (CpuBuffer b : buffers) {
            // the map holds the event too: take it out so the event goes with its fd
            all.add(() -> Bpf.mapDeleteElem(map.fd(), ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
                    .putInt(b.cpu()).array()));
            all.add(b.ring());
            all.add(b.event());
        }
        buffers.clear();
        Closeables.closeAll(all);
    }

    @Override
    public String toString() {
        return "perf reader of " + map;
    }
}

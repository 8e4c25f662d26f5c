package dev.bpfunit;

import dev.bpfunit.instrument.DeterministicValues;
import dev.bpfunit.sys.KernelConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The time (and CPU number) that programs loaded with {@link BpfObjectLoader#clock(TestClock)} see instead of the
 * kernel's: {@code bpf_ktime_get_ns}, {@code bpf_ktime_get_boot_ns} and {@code bpf_ktime_get_coarse_ns} return
 * {@link #nanos()}, {@code bpf_jiffies64} returns {@link #jiffies()}, {@code bpf_get_smp_processor_id} returns
 * {@link #cpu()}. It stands still until the test moves it:
 *
 * <pre>{@code
 * TestClock clock = new TestClock();
 * try (BpfObject obj = BpfObject.loader(path).clock(clock).load()) {
 *     ...run...
 *     clock.advance(Duration.ofSeconds(2));
 *     ...run again: the program sees 2 s more...
 * }
 * }</pre>
 *
 * <p>One clock may drive several objects; each change is written to every open one at once. Not thread-safe
 * against programs running on other CPUs while it changes (a test moves it between runs).
 */
public final class TestClock {

    private long nanos;
    private long jiffies;
    private int cpu;
    private final long hz;
    private final List<BpfMap> maps = new ArrayList<>();

    /** A clock at 0 ns, with {@code CONFIG_HZ} of the running kernel (250 when it cannot be read). */
    public TestClock() {
        this(Duration.ZERO);
    }

    /** A clock at this time since boot. */
    public TestClock(Duration start) {
        this(start, kernelHz());
    }

    /** A clock at this time since boot, whose jiffies tick {@code hz} times a second. */
    public TestClock(Duration start, long hz) {
        if (hz <= 0) {
            throw new IllegalArgumentException("hz must be positive, was " + hz);
        }
        this.hz = hz;
        this.nanos = start.toNanos();
        this.jiffies = jiffiesOf(nanos);
    }

    private static long kernelHz() {
        try {
            Optional<String> v = KernelConfig.running().value("CONFIG_HZ");
            return v.map(Long::parseLong).orElse(250L);
        } catch (RuntimeException e) {
            return 250;
        }
    }

    private long jiffiesOf(long ns) {
        return Math.floorDiv(ns, 1_000_000_000L) * hz + Math.floorMod(ns, 1_000_000_000L) * hz / 1_000_000_000L;
    }

    /** Nanoseconds, as {@code bpf_ktime_get_ns} returns them. */
    public synchronized long nanos() {
        return nanos;
    }

    /** Jiffies, as {@code bpf_jiffies64} returns them: {@code nanos * HZ / 1e9}. */
    public synchronized long jiffies() {
        return jiffies;
    }

    /** The CPU number {@code bpf_get_smp_processor_id} returns. */
    public synchronized int cpu() {
        return cpu;
    }

    /** Ticks per second of {@link #jiffies()}. */
    public long hz() {
        return hz;
    }

    /** Moves the clock forward (or back, with a negative duration). */
    public synchronized TestClock advance(Duration by) {
        return set(Duration.ofNanos(nanos).plus(by));
    }

    /** Moves the clock forward by this many nanoseconds. */
    public synchronized TestClock advanceNanos(long by) {
        return set(Duration.ofNanos(Math.addExact(nanos, by)));
    }

    /** Sets the time since boot. */
    public synchronized TestClock set(Duration sinceBoot) {
        nanos = sinceBoot.toNanos();
        jiffies = jiffiesOf(nanos);
        writeAll();
        return this;
    }

    /** Sets the CPU number programs see. */
    public synchronized TestClock cpu(int number) {
        if (number < 0) {
            throw new IllegalArgumentException("cpu must not be negative, was " + number);
        }
        cpu = number;
        writeAll();
        return this;
    }

    /** Makes this clock drive the deterministic-helper map of an object just loaded. */
    synchronized void attach(BpfMap map) {
        maps.add(map);
        write(map);
    }

    private void writeAll() {
        maps.removeIf(m -> m.fd().isClosed());
        maps.forEach(this::write);
    }

    private void write(BpfMap map) {
        byte[] key = new byte[4];
        byte[] value = map.lookup(key).orElse(new byte[DeterministicValues.SIZE]);
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(DeterministicValues.MONOTONIC_NS, nanos).putLong(DeterministicValues.BOOT_NS, nanos)
                .putLong(DeterministicValues.COARSE_NS, nanos).putLong(DeterministicValues.JIFFIES, jiffies)
                .putInt(DeterministicValues.CPU, cpu);
        map.update(key, value);
    }

    @Override
    public synchronized String toString() {
        return "TestClock[" + Duration.ofNanos(nanos) + ", jiffies " + jiffies + " at " + hz + " Hz, cpu " + cpu + "]";
    }
}

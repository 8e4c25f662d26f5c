package dev.bpfunit.instrument;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layouts of the values of {@link Instrumenter#DETERMINISTIC_MAP} (the clock and CPU that rewritten time and
 * CPU helper calls read instead of the kernel) and of {@link Instrumenter#RANDOM_MAP} (the state of the random
 * sequence that rewritten {@code bpf_get_prandom_u32} calls return), and that sequence, mirrored here so that a
 * test can predict every value.
 *
 * <p>The random sequence is counter-based, so that concurrent runs can neither repeat nor lose a value: each call
 * takes a number with one atomic fetch-and-add on the random map's counter ({@code n = counter++}, a
 * {@code BPF_ATOMIC | BPF_ADD | BPF_FETCH} that the verifier allows on map values since 5.12) and returns the upper
 * 32 bits of SplitMix64's output for that number: {@code mix64(seed + (n + 1) * GAMMA)}. Run after run from one
 * thread, call {@code n} returns {@link #random(long, long) random(seed, n)}; from several threads (or programs
 * firing on several CPUs) every number is taken exactly once, so the calls return exactly the first
 * {@code counter} values of the sequence, in some order. The clock's value is written only by the test
 * ({@code TestClock}), the random map's only by the programs (and once by the loader), so neither write can undo
 * the other.
 */
public final class DeterministicValues {
    /** {@code bpf_ktime_get_ns()}: u64 nanoseconds. */
    public static final int MONOTONIC_NS = 0;
    /** {@code bpf_ktime_get_boot_ns()}: u64 nanoseconds. */
    public static final int BOOT_NS = 8;
    /** {@code bpf_ktime_get_coarse_ns()}: u64 nanoseconds. */
    public static final int COARSE_NS = 16;
    /** {@code bpf_jiffies64()}: u64 jiffies. */
    public static final int JIFFIES = 24;
    /** {@code bpf_get_smp_processor_id()}: u32. */
    public static final int CPU = 32;
    /** The clock map's value size in bytes. */
    public static final int SIZE = 40;

    /** In the random map's value: the u64 number of {@code bpf_get_prandom_u32} calls so far. */
    public static final int RANDOM_COUNTER = 0;
    /** In the random map's value: the u64 seed. */
    public static final int RANDOM_SEED = 8;
    /** The random map's value size in bytes. */
    public static final int RANDOM_SIZE = 16;

    /** SplitMix64's increment (the golden ratio in 64 bits). */
    public static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** SplitMix64's first multiplier. */
    public static final long MIX1 = 0xBF58476D1CE4E5B9L;
    /** SplitMix64's second multiplier. */
    public static final long MIX2 = 0x94D049BB133111EBL;

    private DeterministicValues() {
    }

    /** What the {@code n}th call (from 0) of {@code bpf_get_prandom_u32()} returns with this seed. */
    public static int random(long seed, long n) {
        long z = seed + (n + 1) * GAMMA;
        z = (z ^ (z >>> 30)) * MIX1;
        z = (z ^ (z >>> 27)) * MIX2;
        z = z ^ (z >>> 31);
        return (int) (z >>> 32);
    }

    /** Encodes a value of the clock map (little-endian). */
    public static byte[] encode(long monotonicNs, long bootNs, long coarseNs, long jiffies, int cpu) {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(MONOTONIC_NS, monotonicNs)
                .putLong(BOOT_NS, bootNs).putLong(COARSE_NS, coarseNs).putLong(JIFFIES, jiffies).putInt(CPU, cpu)
                .array();
    }

    /** Encodes a value of the random map (little-endian): the calls so far and the seed. */
    public static byte[] encodeRandom(long calls, long seed) {
        return ByteBuffer.allocate(RANDOM_SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(RANDOM_COUNTER, calls)
                .putLong(RANDOM_SEED, seed).array();
    }

    /** The number of calls a value of the random map records. */
    public static long calls(byte[] randomValue) {
        return ByteBuffer.wrap(randomValue).order(ByteOrder.LITTLE_ENDIAN).getLong(RANDOM_COUNTER);
    }
}

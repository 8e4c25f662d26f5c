package dev.bpfunit.instrument;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layout of the value of {@link Instrumenter#DETERMINISTIC_MAP}, which rewritten time, CPU and random helper
 * calls read instead of the kernel, and the random generator those calls run, mirrored here so that a test can
 * predict every value.
 *
 * <p>The random sequence is a 64-bit linear congruential generator (Knuth's MMIX constants): each
 * {@code bpf_get_prandom_u32()} sets {@code state = state * MULTIPLIER + INCREMENT} and returns the upper 32 bits
 * of the new state. The seed is the first state.
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
    /** The generator's u64 state. */
    public static final int RANDOM_STATE = 40;
    /** The value's size in bytes. */
    public static final int SIZE = 48;

    public static final long MULTIPLIER = 6364136223846793005L;
    public static final long INCREMENT = 1442695040888963407L;

    private DeterministicValues() {
    }

    /** The next state of the generator. */
    public static long nextState(long state) {
        return state * MULTIPLIER + INCREMENT;
    }

    /** What {@code bpf_get_prandom_u32()} returns when it moves the generator to {@code newState}. */
    public static int output(long newState) {
        return (int) (newState >>> 32);
    }

    /** Encodes a value of the map (little-endian). */
    public static byte[] encode(long monotonicNs, long bootNs, long coarseNs, long jiffies, int cpu, long state) {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(MONOTONIC_NS, monotonicNs)
                .putLong(BOOT_NS, bootNs).putLong(COARSE_NS, coarseNs).putLong(JIFFIES, jiffies).putInt(CPU, cpu)
                .putLong(RANDOM_STATE, state).array();
    }
}

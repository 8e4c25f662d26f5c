package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The {@code struct __sk_buff} of a socket-buffer test run (tc, socket filter, cgroup_skb, lwt): the
 * fields the kernel accepts as input ({@code convert___skb_to_skb} in {@code net/bpf/test_run.c}) and
 * writes back after the run.
 *
 * <p>Every other byte of {@code __sk_buff} must be zero on input, which is why there is no
 * {@code tc_classid}, {@code protocol} or {@code len} here: the kernel refuses them. An {@code ifindex}
 * above 1 must name an existing interface (the packet is then received on it); 0 or 1 is the loopback
 * device. A {@code wireLen} must be 0 (the packet length) or at least the packet length.
 *
 * @param mark           {@code mark}
 * @param priority       {@code priority}
 * @param ingressIfindex {@code ingress_ifindex} ({@code skb_iif})
 * @param ifindex        {@code ifindex}: the device the packet is on
 * @param cb             {@code cb[5]}, the control block shared by programs (five u32s)
 * @param tstamp         {@code tstamp} in nanoseconds
 * @param wireLen        {@code wire_len}
 * @param gsoSegs        {@code gso_segs}
 * @param gsoSize        {@code gso_size}
 * @param hwtstamp       {@code hwtstamp}
 */
public record SkbContext(int mark, int priority, int ingressIfindex, int ifindex, int[] cb, long tstamp,
                         int wireLen, int gsoSegs, int gsoSize, long hwtstamp) implements RunContext {
    /** {@code sizeof(struct __sk_buff)}. */
    public static final int SIZE = 192;
    static final int MARK = 8;
    static final int PRIORITY = 32;
    static final int INGRESS_IFINDEX = 36;
    static final int IFINDEX = 40;
    static final int CB = 48;
    static final int TSTAMP = 152;
    static final int WIRE_LEN = 160;
    static final int GSO_SEGS = 164;
    static final int GSO_SIZE = 176;
    static final int HWTSTAMP = 184;

    /** All fields zero: what the kernel assumes without a context. */
    public static final SkbContext EMPTY = new SkbContext(0, 0, 0, 0, new int[5], 0, 0, 0, 0, 0);

    public SkbContext {
        if (cb == null || cb.length != 5) {
            throw new IllegalArgumentException("__sk_buff cb[] has 5 u32 slots, got "
                    + (cb == null ? "null" : cb.length));
        }
        cb = cb.clone();
    }

    @Override
    public int[] cb() {
        return cb.clone();
    }

    public SkbContext withMark(int value) {
        return new SkbContext(value, priority, ingressIfindex, ifindex, cb, tstamp, wireLen, gsoSegs, gsoSize,
                hwtstamp);
    }

    public SkbContext withPriority(int value) {
        return new SkbContext(mark, value, ingressIfindex, ifindex, cb, tstamp, wireLen, gsoSegs, gsoSize, hwtstamp);
    }

    public SkbContext withIngressIfindex(int value) {
        return new SkbContext(mark, priority, value, ifindex, cb, tstamp, wireLen, gsoSegs, gsoSize, hwtstamp);
    }

    public SkbContext withIfindex(int value) {
        return new SkbContext(mark, priority, ingressIfindex, value, cb, tstamp, wireLen, gsoSegs, gsoSize,
                hwtstamp);
    }

    /** The same context with {@code cb[index] = value}. */
    public SkbContext withCb(int index, int value) {
        if (index < 0 || index >= 5) {
            throw new IllegalArgumentException("__sk_buff cb[] index must be 0..4, got " + index);
        }
        int[] c = cb.clone();
        c[index] = value;
        return new SkbContext(mark, priority, ingressIfindex, ifindex, c, tstamp, wireLen, gsoSegs, gsoSize,
                hwtstamp);
    }

    public SkbContext withTstamp(long value) {
        return new SkbContext(mark, priority, ingressIfindex, ifindex, cb, value, wireLen, gsoSegs, gsoSize,
                hwtstamp);
    }

    public SkbContext withWireLen(int value) {
        return new SkbContext(mark, priority, ingressIfindex, ifindex, cb, tstamp, value, gsoSegs, gsoSize,
                hwtstamp);
    }

    public SkbContext withGso(int segs, int size) {
        return new SkbContext(mark, priority, ingressIfindex, ifindex, cb, tstamp, wireLen, segs, size, hwtstamp);
    }

    public SkbContext withHwtstamp(long value) {
        return new SkbContext(mark, priority, ingressIfindex, ifindex, cb, tstamp, wireLen, gsoSegs, gsoSize, value);
    }

    /** Decodes the kernel's output context (the fields it writes back; the rest are what was passed in). */
    public static SkbContext decode(byte[] bytes) {
        ByteBuffer b = Contexts.reader(bytes, SIZE, "struct __sk_buff");
        int[] cb = new int[5];
        for (int i = 0; i < 5; i++) {
            cb[i] = b.getInt(CB + 4 * i);
        }
        return new SkbContext(b.getInt(MARK), b.getInt(PRIORITY), b.getInt(INGRESS_IFINDEX), b.getInt(IFINDEX), cb,
                b.getLong(TSTAMP), b.getInt(WIRE_LEN), b.getInt(GSO_SEGS), b.getInt(GSO_SIZE), b.getLong(HWTSTAMP));
    }

    @Override
    public byte[] encode() {
        ByteBuffer b = Contexts.writer(SIZE);
        b.putInt(MARK, mark).putInt(PRIORITY, priority).putInt(INGRESS_IFINDEX, ingressIfindex)
                .putInt(IFINDEX, ifindex);
        for (int i = 0; i < 5; i++) {
            b.putInt(CB + 4 * i, cb[i]);
        }
        b.putLong(TSTAMP, tstamp).putInt(WIRE_LEN, wireLen).putInt(GSO_SEGS, gsoSegs).putInt(GSO_SIZE, gsoSize)
                .putLong(HWTSTAMP, hwtstamp);
        return b.array();
    }

    @Override
    public String kernelStruct() {
        return "struct __sk_buff";
    }

    @Override
    public RunKind kind() {
        return RunKind.SKB;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SkbContext s && mark == s.mark && priority == s.priority
                && ingressIfindex == s.ingressIfindex && ifindex == s.ifindex && Arrays.equals(cb, s.cb)
                && tstamp == s.tstamp && wireLen == s.wireLen && gsoSegs == s.gsoSegs && gsoSize == s.gsoSize
                && hwtstamp == s.hwtstamp;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(cb) + java.util.Objects.hash(mark, priority, ingressIfindex, ifindex, tstamp,
                wireLen, gsoSegs, gsoSize, hwtstamp);
    }

    @Override
    public String toString() {
        return "SkbContext[mark=" + mark + ", priority=" + priority + ", ingressIfindex=" + ingressIfindex
                + ", ifindex=" + ifindex + ", cb=" + Arrays.toString(cb) + ", tstamp=" + tstamp + ", wireLen="
                + wireLen + ", gsoSegs=" + gsoSegs + ", gsoSize=" + gsoSize + ", hwtstamp=" + hwtstamp + "]";
    }
}

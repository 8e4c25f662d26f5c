package dev.bpfunit;

import dev.bpfunit.spec.AttachType;
import dev.bpfunit.spec.ProgramType;
import java.util.EnumSet;
import java.util.Set;

/**
 * How the kernel test-runs a program type ({@code BPF_PROG_TEST_RUN}), with everything that follows from it in
 * one place: whether it takes packet data and how short the data may be, its context struct, size and typed
 * context class, whether the context is copied out, whether a run may repeat, what an {@code EINVAL} most likely
 * means, and what the return value means. {@link TestRunBuilder} checks a run against it, {@link Verdict#of}
 * names return values by it, and each {@link RunContext} declares the kind it belongs to.
 *
 * <p>To add a typed context: add its class to {@link RunContext}'s {@code permits} with {@code kind()} returning
 * its constant here, and give the constant that class and its size.
 */
public enum RunKind {
    /** XDP programs, on an {@code xdp_md} ({@link XdpContext}). */
    XDP(EnumSet.of(ProgramType.XDP), Data.ETHERNET, "struct xdp_md", XdpContext.SIZE, XdpContext.class, true, true,
            "for XDP: a packet longer than a page minus 256 bytes of headroom needs a program loaded with "
                    + "BPF_F_XDP_HAS_FRAGS; an xdp_md context needs data_meta and egress_ifindex 0, data (the "
                    + "metadata length) a multiple of 4 and data_end within the packet; an ingress_ifindex needs an "
                    + "rx_queue_index the device has registered for XDP; devmap and cpumap programs cannot be test-run"),
    /** Programs run on a socket buffer ({@code bpf_prog_test_run_skb}), on a {@code __sk_buff} ({@link SkbContext}). */
    SKB(EnumSet.of(ProgramType.SOCKET_FILTER, ProgramType.SCHED_CLS, ProgramType.SCHED_ACT, ProgramType.CGROUP_SKB,
            ProgramType.LWT_IN, ProgramType.LWT_OUT, ProgramType.LWT_XMIT, ProgramType.LWT_SEG6LOCAL),
            Data.ETHERNET_AND_IP, "struct __sk_buff", SkbContext.SIZE, SkbContext.class, true, true,
            "for socket buffer programs: the packet must fit a page (about 3.7 KiB); in the __sk_buff context "
                    + "only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size and "
                    + "hwtstamp may be set, and wire_len must be 0 or at least the packet length"),
    /** Flow dissectors, on a {@code bpf_flow_keys} ({@link FlowKeys}). */
    FLOW_DISSECTOR(EnumSet.of(ProgramType.FLOW_DISSECTOR), Data.ETHERNET, "struct bpf_flow_keys", FlowKeys.SIZE,
            FlowKeys.class, true, true, "for flow dissectors: the bpf_flow_keys context may only set flags"),
    /** Socket lookup programs, on a {@code bpf_sk_lookup} ({@link SkLookupContext}); no data. */
    SK_LOOKUP(EnumSet.of(ProgramType.SK_LOOKUP), Data.NONE, "struct bpf_sk_lookup", SkLookupContext.SIZE,
            SkLookupContext.class, true, true,
            "for sk_lookup: the context needs family AF_INET or AF_INET6, no cookie and no ingress_ifindex"),
    /** Raw tracepoints, on their u64 arguments ({@link RawTracepointArgs}); run once. */
    RAW_TRACEPOINT(EnumSet.of(ProgramType.RAW_TRACEPOINT, ProgramType.RAW_TRACEPOINT_WRITABLE), Data.NONE,
            "raw tracepoint arguments (u64[])", 0, RawTracepointArgs.class, false, false,
            "the context must be at least as large as the furthest byte the program reads (raw tracepoint)"),
    /** Syscall programs, on their argument struct ({@link SyscallContext}), which the kernel writes back; run once. */
    SYSCALL(EnumSet.of(ProgramType.SYSCALL), Data.NONE, "syscall program argument struct", 0, SyscallContext.class,
            false, false, "the context must be at least as large as the furthest byte the program reads (SYSCALL)"),
    /** fentry/fexit/fmod_ret programs: the kernel calls its bpf_fentry_test* functions; no data, no context. */
    TRACING(EnumSet.noneOf(ProgramType.class), Data.NONE, "", 0, null, false, false, ""),
    /** Netfilter programs, on an IPv4 or IPv6 packet without an Ethernet header. */
    NETFILTER(EnumSet.of(ProgramType.NETFILTER), Data.IP, "struct bpf_nf_ctx", 0, null, false, true, ""),
    /** Types the kernel cannot test-run. */
    NONE(EnumSet.noneOf(ProgramType.class), Data.NONE, "", 0, null, false, false, "");

    /** {@code ETH_HLEN}: the shortest packet of XDP, skb and flow dissector runs. */
    static final int ETH_HLEN = 14;
    /** {@code sizeof(struct iphdr)} without options. */
    static final int IPV4_HLEN = 20;
    /** {@code sizeof(struct ipv6hdr)}. */
    static final int IPV6_HLEN = 40;
    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_IPV6 = 0x86dd;

    /** What data a run takes and what its shortest packet is. */
    enum Data {
        NONE, ETHERNET, ETHERNET_AND_IP, IP
    }

    private final Set<ProgramType> types;
    private final Data data;
    private final String contextStruct;
    private final int contextSize;
    private final Class<? extends RunContext> contextType;
    private final boolean contextOut;
    private final boolean repeats;
    private final String einval;

    RunKind(Set<ProgramType> types, Data data, String contextStruct, int contextSize,
            Class<? extends RunContext> contextType, boolean contextOut, boolean repeats, String einval) {
        this.types = types;
        this.data = data;
        this.contextStruct = contextStruct;
        this.contextSize = contextSize;
        this.contextType = contextType;
        this.contextOut = contextOut;
        this.repeats = repeats;
        this.einval = einval;
    }

    /** The kind of a program type; TRACING only for the attach types the kernel can test-run. */
    public static RunKind of(ProgramType type, AttachType attach) {
        return lookup(type, attach);
    }

    /** {@link #values()} once: it makes a new array on each call, and {@link #of} runs on every test run. */
    private static final RunKind[] ALL = values();

    private static RunKind lookup(ProgramType type, AttachType attach) {
        if (type == ProgramType.TRACING) {
            return attach == AttachType.TRACE_FENTRY || attach == AttachType.TRACE_FEXIT
                    || attach == AttachType.MODIFY_RETURN ? TRACING : NONE;
        }
        for (RunKind k : ALL) {
            if (k.types.contains(type)) {
                return k;
            }
        }
        return NONE;
    }

    /** The kind of a program type whose attach type does not matter (every type but TRACING). */
    public static RunKind of(ProgramType type) {
        return of(type, AttachType.NONE);
    }

    /** Whether the run takes packet data ({@code data_in}). */
    public boolean takesData() {
        return data != Data.NONE;
    }

    /** Whether the kernel runs it {@code repeat} times and measures the time. */
    public boolean repeats() {
        return repeats;
    }

    /** Whether the kernel copies a context out ({@code ctx_out}). */
    public boolean contextOut() {
        return contextOut;
    }

    /** The kernel's size of the context struct, 0 where it varies or there is none. */
    public int contextSize() {
        return contextSize;
    }

    /** The kernel struct of the context, for messages. */
    public String contextStruct() {
        return contextStruct;
    }

    /** The typed context class of this kind, or null where there is none. */
    public Class<? extends RunContext> contextType() {
        return contextType;
    }

    /**
     * Why this packet is too short for a run of this kind, or null when it is long enough: the kernel refuses with
     * EINVAL a packet shorter than an Ethernet header and, for socket buffer runs, an IPv4 (ethertype 0x0800) or
     * IPv6 (0x86dd) frame shorter than its whole network header (34 or 54 bytes); a netfilter run needs an IP
     * header.
     */
    String tooShort(byte[] packet, int metadata, ProgramType type) {
        int length = packet.length - metadata;
        String after = metadata > 0 ? " after " + metadata + " bytes of metadata" : "";
        if (data == Data.IP) {
            return length < IPV4_HLEN ? "the packet is " + length + " bytes, but a " + type + " test run needs at "
                    + "least " + IPV4_HLEN + " (an IPv4 header)" : null;
        }
        if (length < ETH_HLEN) {
            return "the packet is " + length + " bytes" + after + ", but a " + type + " test run needs at least "
                    + ETH_HLEN + " (an Ethernet header)";
        }
        if (data == Data.ETHERNET_AND_IP) {
            int ethertype = (packet[metadata + 12] & 0xff) << 8 | (packet[metadata + 13] & 0xff);
            int header = ethertype == ETH_P_IP ? IPV4_HLEN : ethertype == ETH_P_IPV6 ? IPV6_HLEN : 0;
            if (header > 0 && length < ETH_HLEN + header) {
                return String.format("the packet is %d bytes, but its ethertype 0x%04x says %s, and a %s test run "
                        + "needs the whole %s header: at least %d bytes (the kernel refuses a shorter one with "
                        + "EINVAL); pad the frame or give another ethertype", length, ethertype,
                        header == IPV4_HLEN ? "IPv4" : "IPv6", type, header == IPV4_HLEN ? "IPv4" : "IPv6",
                        ETH_HLEN + header);
            }
        }
        return null;
    }

    /** What an EINVAL from a run of this kind most likely means, or "" when nothing is known. */
    String einval() {
        return einval;
    }

    /** What a program of {@code type} returning {@code retval} means. */
    Verdict verdict(ProgramType type, int retval) {
        return find(verdictType(type), retval).map(Verdict.class::cast).orElseGet(() -> new RawVerdict(type, retval));
    }

    /**
     * The constant of the verdict enum {@code verdictType} whose value is {@code raw}; empty when none has it, or
     * when the type is {@link RawVerdict}, which names no values.
     */
    static <V extends Verdict> java.util.Optional<V> find(Class<V> verdictType, int raw) {
        V[] named = verdictType.getEnumConstants();
        if (named != null) {
            for (V v : named) {
                if (v.raw() == raw) {
                    return java.util.Optional.of(v);
                }
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * The one table of which verdict names the return values of which program type: one of the enums, or
     * {@link RawVerdict} where the type gives them no names.
     */
    static Class<? extends Verdict> verdictType(ProgramType type) {
        return switch (type) {
            case XDP -> XdpAction.class;
            case SCHED_CLS, SCHED_ACT -> TcAction.class;
            case SK_LOOKUP, CGROUP_SKB -> SkAction.class;
            case LWT_IN, LWT_OUT, LWT_XMIT, LWT_SEG6LOCAL, FLOW_DISSECTOR -> BpfRetCode.class;
            default -> RawVerdict.class;
        };
    }
}

package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.spec.ProgramType;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * The {@code struct bpf_flow_keys} a flow dissector program fills: a test run returns it as its output
 * data (decode it with {@link TestRun#flowKeys()}); as input context only {@code flags} may be set
 * ({@link #withFlags(int)}).
 *
 * @param nhoff       network header offset
 * @param thoff       transport header offset
 * @param addrProto   {@code ETH_P_IP} or {@code ETH_P_IPV6} when addresses were filled
 * @param isFrag      whether the packet is a fragment
 * @param isFirstFrag whether it is the first fragment
 * @param isEncap     whether it is encapsulated
 * @param ipProto     the transport protocol number
 * @param nProto      the network protocol (EtherType), host order
 * @param sport       source port, host order
 * @param dport       destination port, host order
 * @param src         source address (4 bytes for IPv4, 16 for IPv6, as {@code addrProto} says)
 * @param dst         destination address
 * @param flags       {@code BPF_FLOW_DISSECTOR_F_*}
 * @param flowLabel   IPv6 flow label, host order
 */
public record FlowKeys(int nhoff, int thoff, int addrProto, boolean isFrag, boolean isFirstFrag, boolean isEncap,
                       int ipProto, int nProto, int sport, int dport, InetAddress src, InetAddress dst, int flags,
                       int flowLabel) implements RunContext {
    /** {@code sizeof(struct bpf_flow_keys)}. */
    public static final int SIZE = 56;
    /** {@code BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG}. */
    public static final int F_PARSE_1ST_FRAG = 1;
    /** {@code BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL}. */
    public static final int F_STOP_AT_FLOW_LABEL = 2;
    /** {@code BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP}. */
    public static final int F_STOP_AT_ENCAP = 4;

    static final int ETH_P_IP = 0x0800;
    static final int ETH_P_IPV6 = 0x86DD;

    /** An input context with only {@code flags} set, the one field the kernel takes in. */
    public static FlowKeys withFlags(int flags) {
        return new FlowKeys(0, 0, 0, false, false, false, 0, 0, 0, 0, null, null, flags, 0);
    }

    /** Decodes the flow keys a flow dissector test run returned. */
    public static FlowKeys decode(byte[] bytes) {
        ByteBuffer b = Contexts.reader(bytes, SIZE, "struct bpf_flow_keys");
        int addrProto = Short.toUnsignedInt(b.getShort(4));
        InetAddress src = null;
        InetAddress dst = null;
        if (addrProto == ETH_P_IP) {
            src = Contexts.address(Contexts.slice(b, 16, 4));
            dst = Contexts.address(Contexts.slice(b, 20, 4));
        } else if (addrProto == ETH_P_IPV6) {
            src = Contexts.address(Contexts.slice(b, 16, 16));
            dst = Contexts.address(Contexts.slice(b, 32, 16));
        }
        return new FlowKeys(Short.toUnsignedInt(b.getShort(0)), Short.toUnsignedInt(b.getShort(2)), addrProto,
                b.get(6) != 0, b.get(7) != 0, b.get(8) != 0, Byte.toUnsignedInt(b.get(9)), be16(b, 10), be16(b, 12),
                be16(b, 14), src, dst, b.getInt(48), (be16(b, 52) << 16) | be16(b, 54));
    }

    private static int be16(ByteBuffer b, int offset) {
        return ((b.get(offset) & 0xff) << 8) | (b.get(offset + 1) & 0xff);
    }

    /** Encodes the input context; the kernel refuses anything but {@code flags}, so only that is written. */
    @Override
    public byte[] encode() {
        if (nhoff != 0 || thoff != 0 || addrProto != 0 || nProto != 0 || sport != 0 || dport != 0 || src != null
                || dst != null || ipProto != 0 || isFrag || isFirstFrag || isEncap || flowLabel != 0) {
            throw new BpfException("a flow dissector test run takes only 'flags' in its struct bpf_flow_keys "
                    + "context; use FlowKeys.withFlags(...)");
        }
        return Contexts.writer(SIZE).putInt(48, flags).array();
    }

    @Override
    public String kernelStruct() {
        return "struct bpf_flow_keys";
    }

    @Override
    public RunKind kind() {
        return RunKind.FLOW_DISSECTOR;
    }
}

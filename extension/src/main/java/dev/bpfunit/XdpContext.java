package dev.bpfunit;

import dev.bpfunit.spec.ProgramType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code struct xdp_md} of an XDP test run: which interface and receive queue the frame came from,
 * and how many bytes of metadata precede the packet.
 *
 * <p>In a test run the kernel reads {@code data} as the metadata length (the packet starts that many bytes
 * into the input), {@code data_end} as the end of the linear part (bpfunit sets it to the input length
 * when it is 0 here), and requires {@code data_meta} and {@code egress_ifindex} to be 0. An
 * {@code ingress_ifindex} must name an existing interface whose queue {@code rx_queue_index} is
 * registered for XDP. The output context holds the same fields after the program moved the pointers.
 *
 * @param data           offset of the packet from the start of the input: the metadata length
 * @param dataEnd        end of the packet in the input; 0 means "the whole input"
 * @param dataMeta       must be 0 on input
 * @param ingressIfindex the interface the frame arrived on (0: the loopback device)
 * @param rxQueueIndex   its receive queue
 * @param egressIfindex  must be 0 on input
 */
public record XdpContext(int data, int dataEnd, int dataMeta, int ingressIfindex, int rxQueueIndex,
                         int egressIfindex) implements RunContext {
    /** {@code sizeof(struct xdp_md)}. */
    public static final int SIZE = 24;

    /** A frame that arrived on interface {@code ifindex}, queue {@code rxQueue}. */
    public static XdpContext ingress(int ifindex, int rxQueue) {
        return new XdpContext(0, 0, 0, ifindex, rxQueue, 0);
    }

    /** The same context with the first {@code length} bytes of the input taken as metadata (a multiple of 4). */
    public XdpContext withMetadata(int length) {
        if (length < 0 || length % 4 != 0 || length > 32 * 4) {
            throw new IllegalArgumentException("XDP metadata length must be a multiple of 4 from 0 to 128, got "
                    + length);
        }
        return new XdpContext(length, dataEnd, dataMeta, ingressIfindex, rxQueueIndex, egressIfindex);
    }

    /** Bytes of metadata before the packet ({@code data - data_meta}). */
    public int metadataLength() {
        return data - dataMeta;
    }

    /** Decodes the kernel's output context. */
    public static XdpContext decode(byte[] bytes) {
        ByteBuffer b = Contexts.reader(bytes, SIZE, "struct xdp_md");
        return new XdpContext(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20));
    }

    @Override
    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder()).putInt(data).putInt(dataEnd)
                .putInt(dataMeta).putInt(ingressIfindex).putInt(rxQueueIndex).putInt(egressIfindex).array();
    }

    @Override
    public String kernelStruct() {
        return "struct xdp_md";
    }

    @Override
    public RunKind kind() {
        return RunKind.XDP;
    }
}

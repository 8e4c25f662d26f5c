package dev.bpfunit.assertj;

import dev.bpfunit.packet.ChecksumStatus;
import dev.bpfunit.packet.Layer;
import dev.bpfunit.packet.PacketException;
import java.util.Objects;
import java.util.function.Supplier;
import org.assertj.core.api.AbstractObjectAssert;

/**
 * Assertions on one header of a packet, made by stepping into it from a {@link PacketAssert}; failures name the
 * layer and its position, show the whole packet and save it as a pcap file like the packet assertions do.
 *
 * <p>The step methods ({@link #ipv4()}, {@link #udp()}, ...) go to another layer of the same packet, so one chain
 * can check several headers: {@code outputPacket().ipv4().hasTtl(63).udp().hasDestinationPort(53)}.
 *
 * @param <SELF> the concrete assertion type
 * @param <L>    the layer type
 */
public abstract class AbstractLayerAssert<SELF extends AbstractLayerAssert<SELF, L>, L extends Layer>
        extends AbstractObjectAssert<SELF, L> {

    private final AbstractPacketAssert<?> packet;
    private final int index;

    @SuppressWarnings("unchecked")
    protected AbstractLayerAssert(AbstractPacketAssert<?> packet, int index, Class<?> selfType) {
        super((L) packet.packet().layers().get(index), selfType);
        this.packet = packet;
        this.index = index;
    }

    /** Back to the whole packet. */
    public AbstractPacketAssert<?> and() {
        return packet;
    }

    /**
     * The layer's checksum matches its bytes (with the pseudo-header where the protocol has one); a UDP checksum of 0
     * over IPv4 (none sent) passes.
     */
    SELF validChecksum(int field) {
        ChecksumStatus s = packet.packet().checksumStatus(index);
        if (s != ChecksumStatus.GOOD && s != ChecksumStatus.ABSENT) {
            failField("checksum", "valid", s + (s == ChecksumStatus.UNVERIFIABLE
                    ? " (the bytes it covers are not all there)" : "") + String.format(" (field 0x%04x)", field));
        }
        return myself;
    }

    /** The checksum field holds exactly {@code expected} (shown in hex), whether or not it is valid. */
    SELF checksumIs(int field, int expected) {
        if (expected < 0 || expected > 0xffff) {
            throw new IllegalArgumentException(String.format("a checksum is 16 bits: 0x%x is not one", expected));
        }
        if (field != expected) {
            failField("checksum", String.format("0x%04x", expected), String.format("0x%04x", field));
        }
        return myself;
    }

    public EthernetAssert ethernet() {
        return packet.ethernet();
    }

    public VlanAssert vlan() {
        return packet.vlan();
    }

    public Ipv4Assert ipv4() {
        return packet.ipv4();
    }

    public Ipv6Assert ipv6() {
        return packet.ipv6();
    }

    public TcpAssert tcp() {
        return packet.tcp();
    }

    public UdpAssert udp() {
        return packet.udp();
    }

    public IcmpAssert icmp() {
        return packet.icmp();
    }

    /** Checks one field: {@code expected} and the actual value are compared with equals and shown with toString. */
    SELF field(String name, Object expected, Object actualValue) {
        if (!Objects.equals(expected, actualValue)) {
            failField(name, String.valueOf(expected), String.valueOf(actualValue));
        }
        return myself;
    }

    /** Checks a 16-bit or smaller number, shown in decimal. */
    SELF number(String name, long expected, long actualValue) {
        return field(name, expected, actualValue);
    }

    void failField(String name, String expected, String actualValue) {
        packet.failField(packet.subject() + "'s " + actual.name() + " layer (#" + index + ")", name, expected,
                actualValue);
    }

    /** Makes an assertion's argument (an address), turning bad input into an {@link IllegalArgumentException}. */
    static <T> T argument(Supplier<T> make) {
        try {
            return make.get();
        } catch (PacketException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}

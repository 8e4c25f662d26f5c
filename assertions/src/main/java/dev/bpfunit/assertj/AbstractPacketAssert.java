package dev.bpfunit.assertj;

import dev.bpfunit.packet.ChecksumStatus;
import dev.bpfunit.packet.Ethernet;
import dev.bpfunit.packet.Icmp;
import dev.bpfunit.packet.Ipv4;
import dev.bpfunit.packet.Ipv6;
import dev.bpfunit.packet.Layer;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketDiff;
import dev.bpfunit.packet.Tcp;
import dev.bpfunit.packet.Udp;
import dev.bpfunit.packet.Vlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.assertj.core.api.AbstractObjectAssert;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Assertions on a {@link Packet}, layer by layer: equality with a field-by-field diff on failure, the protocols,
 * checksums, payload, and a step into each header ({@code ipv4().hasDestination("10.0.0.2")}).
 *
 * <p>When an assertion on a packet fails, the packets involved (the run's input, the packet under test, the
 * expected one) are saved as a pcap file under {@code target/bpfunit/} and the message says where.
 *
 * @param <SELF> the concrete assertion type
 */
public abstract class AbstractPacketAssert<SELF extends AbstractPacketAssert<SELF>>
        extends AbstractObjectAssert<SELF, Packet> {

    private final Packet input;
    private final String subject;

    /**
     * @param input   the packet the program was given, saved beside the actual one when an assertion fails; may be null
     * @param subject what the packet is, for messages: {@code the output packet}
     */
    protected AbstractPacketAssert(Packet actual, Packet input, String subject, Class<?> selfType) {
        super(actual, selfType);
        this.input = input;
        this.subject = Objects.requireNonNull(subject, "subject");
    }

    /** The packet equals {@code expected}, every layer and field; the failure shows the fields that differ. */
    public SELF isEqualTo(Packet expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected packet");
        if (!actual.equals(expected)) {
            PacketDiff diff = PacketDiff.of(expected, actual);
            fail((sub, saved) -> BpfErrors.shouldEqualPacket(sub, diff.toString(), expected.summary() + " ("
                    + expected.length() + " bytes)", actual.summary() + " (" + actual.length() + " bytes)", saved),
                    expected);
        }
        return myself;
    }

    /**
     * The packet's layers are these protocols, outermost first, separated by {@code /}, as {@code Packet#protocols()}
     * names them: {@code "Ethernet/IPv4/UDP/Payload"}. Bytes left after the last header the parser knows are a final
     * {@code Payload} layer (absent when there are none): {@code "Ethernet/IPv4/TCP"} for a bare SYN. Names:
     * Ethernet, VLAN, ARP, IPv4, IPv6 (and "IPv6 hop-by-hop", "IPv6 routing", "IPv6 fragment", "IPv6 destination
     * options"), TCP, UDP, ICMP, ICMPv6, VXLAN, GENEVE, GRE, Payload; bytes past the IP packet's length (Ethernet
     * padding) are a {@code Trailer}, and what cannot be decoded (a header cut short) ends in a {@code Malformed}
     * layer.
     */
    public SELF hasProtocols(String expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected protocols");
        String protocols = actual.protocols();
        if (!protocols.equals(expected)) {
            failField("protocols", expected, protocols);
        }
        return myself;
    }

    /** The packet is {@code expected} bytes long. */
    public SELF hasLength(int expected) {
        isNotNull();
        if (actual.length() != expected) {
            failField("length", expected + " bytes", actual.length() + " bytes");
        }
        return myself;
    }

    /** The innermost payload is exactly these bytes. */
    public SELF hasPayload(byte[] expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected payload");
        byte[] payload = actual.payload().toArray();
        if (!Arrays.equals(payload, expected)) {
            failField("payload", HexDiff.hex(expected) + " (" + expected.length + " bytes)",
                    HexDiff.hex(payload) + " (" + payload.length + " bytes)");
        }
        return myself;
    }

    /**
     * Every checksum in the packet (IPv4 header, TCP/UDP/ICMP with their pseudo-header) matches its bytes; a checksum
     * that cannot be checked because the bytes it covers are cut short fails too.
     */
    public SELF hasValidChecksums() {
        isNotNull();
        List<String> problems = new ArrayList<>();
        List<Layer> layers = actual.layers();
        for (int i = 0; i < layers.size(); i++) {
            ChecksumStatus s = actual.checksumStatus(i);
            if (s == ChecksumStatus.BAD || s == ChecksumStatus.UNVERIFIABLE) {
                problems.add("  " + layers.get(i).name() + " #" + i + ": " + (s == ChecksumStatus.BAD
                        ? "checksum is wrong" : "checksum cannot be checked (the bytes it covers are not all there)"));
            }
        }
        if (!problems.isEmpty()) {
            fail((sub, saved) -> BpfErrors.shouldHaveValidChecksums(sub, String.join("\n", problems), describe(), saved),
                    null);
        }
        return myself;
    }

    /** Steps into the Ethernet header. */
    public EthernetAssert ethernet() {
        return new EthernetAssert(this, layerIndex(Ethernet.class, "Ethernet"));
    }

    /** Steps into the outermost 802.1Q/802.1ad tag. */
    public VlanAssert vlan() {
        return new VlanAssert(this, layerIndex(Vlan.class, "VLAN"));
    }

    /** Steps into the outermost IPv4 header. */
    public Ipv4Assert ipv4() {
        return new Ipv4Assert(this, layerIndex(Ipv4.class, "IPv4"));
    }

    /** Steps into the outermost IPv6 header. */
    public Ipv6Assert ipv6() {
        return new Ipv6Assert(this, layerIndex(Ipv6.class, "IPv6"));
    }

    /** Steps into the outermost TCP header. */
    public TcpAssert tcp() {
        return new TcpAssert(this, layerIndex(Tcp.class, "TCP"));
    }

    /** Steps into the outermost UDP header. */
    public UdpAssert udp() {
        return new UdpAssert(this, layerIndex(Udp.class, "UDP"));
    }

    /** Steps into the outermost ICMP (v4) header. */
    public IcmpAssert icmp() {
        return new IcmpAssert(this, layerIndex(Icmp.class, "ICMP"));
    }

    /** What the packet is, for messages: {@code the output packet}. */
    String subject() {
        return subject;
    }

    Packet packet() {
        return actual;
    }

    /** The packet's summary and length, for messages. */
    String describe() {
        return actual.summary() + " (" + actual.length() + " bytes)";
    }

    /** Fails because {@code field} of the packet is not as expected. */
    void failField(String field, String expected, String actualValue) {
        failField(subject, field, expected, actualValue);
    }

    /** Fails because {@code field} of {@code who} (the packet, or one of its layers) is not as expected. */
    void failField(String who, String field, String expected, String actualValue) {
        fail((sub, saved) -> BpfErrors.shouldHavePacketField(who, field, expected, actualValue, describe(), saved),
                null);
    }

    /** Saves the input, the actual and the expected packet (when there is one) and fails with the message. */
    void fail(BiFunction<String, String, ErrorMessageFactory> message, Packet expected) {
        String saved = FailedPackets.save(List.of(new FailedPackets.Labeled("input", input),
                new FailedPackets.Labeled(input != null ? "output" : "actual", actual),
                new FailedPackets.Labeled("expected", expected)));
        throwAssertionError(message.apply(subject, "  " + saved));
    }

    private int layerIndex(Class<? extends Layer> type, String name) {
        isNotNull();
        List<Layer> layers = actual.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (type.isInstance(layers.get(i))) {
                return i;
            }
        }
        fail((sub, saved) -> BpfErrors.shouldHaveLayer(sub, name, describe(), saved), null);
        throw new IllegalStateException("unreachable");
    }
}

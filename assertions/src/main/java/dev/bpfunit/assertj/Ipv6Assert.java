package dev.bpfunit.assertj;

import dev.bpfunit.packet.IpProtocol;
import dev.bpfunit.packet.Ipv6;
import dev.bpfunit.packet.Ipv6Address;

/** Assertions on the outermost IPv6 header of a packet; made by {@link AbstractPacketAssert#ipv6()}. */
public class Ipv6Assert extends AbstractLayerAssert<Ipv6Assert, Ipv6> {

    Ipv6Assert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, Ipv6Assert.class);
    }

    /** The source address is {@code address} ({@code fd00::1}). */
    public Ipv6Assert hasSource(String address) {
        return field("source", argument(() -> Ipv6Address.of(address)), actual.src());
    }

    /** The destination address is {@code address}. */
    public Ipv6Assert hasDestination(String address) {
        return field("destination", argument(() -> Ipv6Address.of(address)), actual.dst());
    }

    public Ipv6Assert hasHopLimit(int hopLimit) {
        return number("hopLimit", hopLimit, actual.hopLimit());
    }

    /** The next header field is {@code protocol} (6 TCP, 17 UDP, 58 ICMPv6, 44 fragment...). */
    public Ipv6Assert hasNextHeader(int protocol) {
        return field("nextHeader", argument(() -> IpProtocol.of(protocol)), actual.nextHeader());
    }

    public Ipv6Assert hasPayloadLength(int length) {
        return number("payloadLength", length, actual.payloadLength());
    }

    public Ipv6Assert hasFlowLabel(int flowLabel) {
        return number("flowLabel", flowLabel, actual.flowLabel());
    }
}

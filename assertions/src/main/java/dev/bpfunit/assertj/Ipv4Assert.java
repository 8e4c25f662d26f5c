package dev.bpfunit.assertj;

import dev.bpfunit.packet.IpProtocol;
import dev.bpfunit.packet.Ipv4;
import dev.bpfunit.packet.Ipv4Address;

/** Assertions on the outermost IPv4 header of a packet; made by {@link AbstractPacketAssert#ipv4()}. */
public class Ipv4Assert extends AbstractLayerAssert<Ipv4Assert, Ipv4> {

    Ipv4Assert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, Ipv4Assert.class);
    }

    /** The source address is {@code address} ({@code 10.0.0.1}). */
    public Ipv4Assert hasSource(String address) {
        return field("source", argument(() -> Ipv4Address.of(address)), actual.src());
    }

    /** The destination address is {@code address}. */
    public Ipv4Assert hasDestination(String address) {
        return field("destination", argument(() -> Ipv4Address.of(address)), actual.dst());
    }

    /** The time to live is {@code ttl}. */
    public Ipv4Assert hasTtl(int ttl) {
        return number("ttl", ttl, actual.ttl());
    }

    /** The protocol field is {@code protocol} (6 TCP, 17 UDP). */
    public Ipv4Assert hasProtocol(int protocol) {
        return field("protocol", argument(() -> IpProtocol.of(protocol)), actual.protocol());
    }

    public Ipv4Assert hasDscp(int dscp) {
        return number("dscp", dscp, actual.dscp());
    }

    public Ipv4Assert hasEcn(int ecn) {
        return number("ecn", ecn, actual.ecn());
    }

    /** The total length field (header and payload, as encoded) is {@code length}. */
    public Ipv4Assert hasTotalLength(int length) {
        return number("totalLength", length, actual.totalLength());
    }

    public Ipv4Assert hasIdentification(int identification) {
        return number("identification", identification, actual.identification());
    }

    /** The don't-fragment flag is {@code set}. */
    public Ipv4Assert hasDontFragment(boolean set) {
        return field("dontFragment", set, actual.dontFragment());
    }

    /** The checksum matches the bytes: the header checksum. */
    public Ipv4Assert hasValidChecksum() {
        return validChecksum(actual.checksum());
    }

    /**
     * The checksum field holds {@code expected}: {@code hasChecksum(0x568f)}, for a program that sets or updates
     * it to a known value (compare {@link #hasValidChecksum()}, which recomputes it).
     */
    public Ipv4Assert hasChecksum(int expected) {
        return checksumIs(actual.checksum(), expected);
    }
}

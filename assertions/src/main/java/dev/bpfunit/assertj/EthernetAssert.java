package dev.bpfunit.assertj;

import dev.bpfunit.packet.EtherType;
import dev.bpfunit.packet.Ethernet;
import dev.bpfunit.packet.MacAddress;

/** Assertions on the Ethernet header of a packet; made by {@link AbstractPacketAssert#ethernet()}. */
public class EthernetAssert extends AbstractLayerAssert<EthernetAssert, Ethernet> {

    EthernetAssert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, EthernetAssert.class);
    }

    /** The source MAC address is {@code mac} ({@code 02:00:00:00:00:01}). */
    public EthernetAssert hasSource(String mac) {
        return field("source MAC", argument(() -> MacAddress.of(mac)), actual.src());
    }

    /** The destination MAC address is {@code mac}. */
    public EthernetAssert hasDestination(String mac) {
        return field("destination MAC", argument(() -> MacAddress.of(mac)), actual.dst());
    }

    /** The EtherType is {@code type} ({@code 0x0800} for IPv4). */
    public EthernetAssert hasEtherType(int type) {
        return field("EtherType", argument(() -> EtherType.of(type)), actual.etherType());
    }
}

package dev.bpfunit.assertj;

import dev.bpfunit.packet.Vlan;

/** Assertions on the outermost 802.1Q/802.1ad tag of a packet; made by {@link AbstractPacketAssert#vlan()}. */
public class VlanAssert extends AbstractLayerAssert<VlanAssert, Vlan> {

    VlanAssert(AbstractPacketAssert<?> packet, int index) {
        super(packet, index, VlanAssert.class);
    }

    /** The VLAN id is {@code vid}. */
    public VlanAssert hasVid(int vid) {
        return number("vid", vid, actual.vid());
    }

    /** The priority code point is {@code pcp}. */
    public VlanAssert hasPcp(int pcp) {
        return number("pcp", pcp, actual.pcp());
    }
}

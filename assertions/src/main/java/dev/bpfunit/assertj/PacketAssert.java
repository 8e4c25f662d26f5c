package dev.bpfunit.assertj;

import dev.bpfunit.packet.Packet;

/**
 * Assertions on a {@link Packet}; made by {@link BpfAssertions#assertThat(Packet)} and
 * {@link TestRunAssert#outputPacket()}.
 */
public class PacketAssert extends AbstractPacketAssert<PacketAssert> {

    public PacketAssert(Packet actual) {
        this(actual, null, "the packet");
    }

    PacketAssert(Packet actual, Packet input, String subject) {
        super(actual, input, subject, PacketAssert.class);
    }
}

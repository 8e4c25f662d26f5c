package dev.bpfunit.jqwik;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketGenerators;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The arbitraries make what they say, and a failing property shrinks to a small frame. */
class PacketArbitrariesTest {

    @Property(tries = 200)
    void validFramesParseBackWithGoodChecksums(@ForAll("valid") Packet frame) {
        Packet parsed = Packet.parse(frame.bytes());
        assertThat(parsed.checksumsValid()).isTrue();
        assertThat(parsed.protocols()).matches("Ethernet/IPv[46]/(UDP|TCP)(/Payload)?");
    }

    @Property(tries = 200)
    void damageAlwaysChangesTheFrame(@ForAll("valid") Packet frame, @ForAll long seed) {
        assertThat(PacketGenerators.damage(frame, seed).bytes()).isNotEqualTo(frame.bytes());
    }

    @Property(tries = 100)
    void malformedFramesParseWithoutThrowing(@ForAll("malformed") Packet frame) {
        assertThat(Packet.parse(frame.bytes()).bytes()).isEqualTo(frame.bytes());
    }

    @Provide
    Arbitrary<Packet> valid() {
        return PacketArbitraries.valid();
    }

    @Provide
    Arbitrary<Packet> malformed() {
        return PacketArbitraries.malformed();
    }
}

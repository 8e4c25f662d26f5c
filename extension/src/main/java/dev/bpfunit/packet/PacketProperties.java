package dev.bpfunit.packet;

import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Checks that a property holds for every packet of a stream, and on the first failure reports a shrunk counterexample.
 *
 * <pre>{@code
 * PacketProperties.forAll(PacketGenerators.ipv4Udp(42, 53).limit(1000),
 *         p -> program.run(p.bytes()).returnValue() == XDP_DROP);
 * }</pre>
 */
public final class PacketProperties {
    private PacketProperties() {
    }

    /**
     * Tests {@code property} on each packet; when one fails, shrinks it with {@link PacketShrinker}, saves the original
     * and the shrunk packet with {@link PcapDumps} and throws an {@link AssertionError} showing both and the file.
     */
    public static void forAll(Stream<Packet> packets, Predicate<Packet> property) {
        Iterator<Packet> it = packets.iterator();
        int index = 0;
        while (it.hasNext()) {
            Packet p = it.next();
            if (!property.test(p)) {
                Packet shrunk = PacketShrinker.shrink(p, property.negate());
                String where;
                try {
                    where = "saved (original, then shrunk) to " + PcapDumps.save("property-counterexample-" + System.nanoTime(),
                            List.of(p, shrunk));
                } catch (PacketException e) {
                    where = "could not be saved: " + e.getMessage();
                }
                throw new AssertionError("property does not hold for packet #" + index + "\nshrunk counterexample: " + shrunk
                        + "\n  bytes: " + Bytes.of(shrunk.bytes()).hex() + "\noriginal: " + p + "\npackets " + where);
            }
            index++;
        }
    }
}

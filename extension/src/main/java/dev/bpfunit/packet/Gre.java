package dev.bpfunit.packet;

/**
 * A GRE header (RFC 2784/2890); the checksum, key and sequence fields are encoded only when their bit is set.
 *
 * @param reserved0 the other bits of the first word (R, strict source route, recursion, flags), in place: mask 0x4ff8
 * @param protocolType the type of the encapsulated packet
 * @param checksum encoded only when {@link #checksumPresent()}, else 0
 * @param reserved1 the 16 bits after the checksum, encoded only when {@link #checksumPresent()}
 */
public record Gre(boolean checksumPresent, boolean keyPresent, boolean sequencePresent, int reserved0, int version,
        EtherType protocolType, int checksum, int reserved1, long key, long sequence) implements Layer {

    public Gre {
        if ((reserved0 & ~0x4ff8) != 0) {
            throw new PacketException("GRE reserved0 0x" + Integer.toHexString(reserved0) + " has bits outside the mask 0x4ff8");
        }
        Wire.check("GRE", "version", version, 3);
        Wire.notNull("GRE", "protocolType", protocolType);
        Wire.check("GRE", "checksum", checksum, 16);
        Wire.check("GRE", "reserved1", reserved1, 16);
        Wire.check("GRE", "key", key, 32);
        Wire.check("GRE", "sequence", sequence, 32);
    }

    /** 4 bytes plus 4 for each present optional field. */
    public int headerLength() {
        return 4 + (checksumPresent ? 4 : 0) + (keyPresent ? 4 : 0) + (sequencePresent ? 4 : 0);
    }

    @Override
    public String name() {
        return "GRE";
    }

    @Override
    public byte[] encode() {
        Wire w = new Wire().u16((checksumPresent ? 0x8000 : 0) | (keyPresent ? 0x2000 : 0) | (sequencePresent ? 0x1000 : 0)
                | reserved0 | version).u16(protocolType.value());
        if (checksumPresent) {
            w.u16(checksum).u16(reserved1);
        }
        if (keyPresent) {
            w.u32(key);
        }
        if (sequencePresent) {
            w.u32(sequence);
        }
        return w.toArray();
    }
}

package dev.bpfunit.packet;

/**
 * Bytes after the end that a length field declares, such as Ethernet padding of a short frame.
 */
public record Trailer(Bytes data) implements Layer {

    public Trailer {
        Wire.notNull("Trailer", "data", data);
    }

    @Override
    public String name() {
        return "Trailer";
    }

    @Override
    public byte[] encode() {
        return data.toArray();
    }
}

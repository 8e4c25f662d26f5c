package dev.bpfunit.packet;

/**
 * The application data carried by the innermost header, or bytes of a protocol bpfunit does not decode.
 */
public record Payload(Bytes data) implements Layer {

    public Payload {
        Wire.notNull("Payload", "data", data);
    }

    @Override
    public String name() {
        return "Payload";
    }

    @Override
    public byte[] encode() {
        return data.toArray();
    }
}

package dev.bpfunit.packet;

/**
 * The bytes where parsing had to stop, with the reason: a truncated header, or a field that makes it unreadable.
 *
 * @param protocol the protocol that was expected at this point
 * @param data the remaining bytes (possibly empty)
 * @param reason what is wrong, for example {@code truncated: 12 of 20 header bytes}
 */
public record Malformed(String protocol, Bytes data, String reason) implements Layer {

    public Malformed {
        Wire.notNull("Malformed", "protocol", protocol);
        Wire.notNull("Malformed", "data", data);
        Wire.notNull("Malformed", "reason", reason);
    }

    @Override
    public String name() {
        return "Malformed";
    }

    @Override
    public byte[] encode() {
        return data.toArray();
    }
}

package dev.bpfunit.packet;

import dev.bpfunit.error.BpfException;

/**
 * Signals a packet that cannot be built as asked or a capture file that cannot be read.
 *
 * <p>Parsing packet bytes never throws this: malformed bytes parse into a {@link Malformed} layer.
 */
public class PacketException extends BpfException {
    private static final long serialVersionUID = 1L;

    public PacketException(String message) {
        super(message);
    }

    public PacketException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.bpfunit;

import dev.bpfunit.error.BpfException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Byte helpers shared by the run contexts. */
final class Contexts {
    private Contexts() {
    }

    /** A native-order view of a context the kernel returned, checked to be at least {@code size} bytes. */
    static ByteBuffer reader(byte[] bytes, int size, String struct) {
        if (bytes == null || bytes.length < size) {
            throw new BpfException(struct + " is " + size + " bytes, but the output context has "
                    + (bytes == null ? "none" : bytes.length + " bytes")
                    + ": was the run given a context (or contextOutSize)?");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    static ByteBuffer writer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + raw.length + " bytes", e);
        }
    }

    static byte[] slice(ByteBuffer b, int offset, int length) {
        byte[] out = new byte[length];
        b.get(offset, out);
        return out;
    }

    static int checkU16(String what, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(what + " must be 0..65535, got " + value);
        }
        return value;
    }
}

package dev.bpfunit;

import dev.bpfunit.btf.Btf;
import dev.bpfunit.btf.BtfValue;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns map keys and values into bytes and back, so that a test reads and writes maps without packing
 * bytes by hand: fixed-width integers in this machine's byte order (as the kernel stores them), big-endian
 * (network order) ports and addresses, raw bytes, and BTF-described structs as {@link BtfValue}s.
 *
 * <p>Unsigned types decode into the next Java type that holds them only where that is free: {@code u8} and
 * {@code u16} are {@code Integer}s, {@code u32} is an {@code Integer} holding the same bits (read it with
 * {@link Integer#toUnsignedLong}), {@code u64} a {@code Long} likewise.
 *
 * @param <T> the Java type
 */
public interface MapCodec<T> {

    /** The encoded size in bytes, or -1 if any size is accepted ({@link #bytes()}). */
    int size();

    /** The bytes of {@code value}. */
    byte[] encode(T value);

    /** The value of {@code bytes}, which are {@link #size()} long. */
    T decode(byte[] bytes);

    /** A short name for messages: {@code u32}, {@code struct stats}. */
    String name();

    static MapCodec<Integer> u8() {
        return fixed("u8", 1, v -> new byte[] {(byte) checkRange("u8", v, 0, 0xff)}, b -> b[0] & 0xff);
    }

    static MapCodec<Integer> u16() {
        return fixed("u16", 2, v -> buf(2).putShort((short) checkRange("u16", v, 0, 0xffff)).array(),
                b -> Short.toUnsignedInt(wrap(b).getShort()));
    }

    static MapCodec<Integer> u32() {
        return fixed("u32", 4, v -> buf(4).putInt(v).array(), b -> wrap(b).getInt());
    }

    static MapCodec<Long> u64() {
        return fixed("u64", 8, v -> buf(8).putLong(v).array(), b -> wrap(b).getLong());
    }

    static MapCodec<Byte> s8() {
        return fixed("s8", 1, v -> new byte[] {v}, b -> b[0]);
    }

    static MapCodec<Short> s16() {
        return fixed("s16", 2, v -> buf(2).putShort(v).array(), b -> wrap(b).getShort());
    }

    static MapCodec<Integer> s32() {
        return fixed("s32", 4, v -> buf(4).putInt(v).array(), b -> wrap(b).getInt());
    }

    static MapCodec<Long> s64() {
        return fixed("s64", 8, v -> buf(8).putLong(v).array(), b -> wrap(b).getLong());
    }

    /** A {@code __be16} (a port in network order) as an unsigned host value. */
    static MapCodec<Integer> be16() {
        return fixed("be16", 2, v -> ByteBuffer.allocate(2).putShort((short) checkRange("be16", v, 0, 0xffff))
                .array(), b -> Short.toUnsignedInt(ByteBuffer.wrap(b).getShort()));
    }

    /** A {@code __be32} in network order, as a host value. */
    static MapCodec<Integer> be32() {
        return fixed("be32", 4, v -> ByteBuffer.allocate(4).putInt(v).array(), b -> ByteBuffer.wrap(b).getInt());
    }

    /** Raw bytes of any length (the map checks the size). */
    static MapCodec<byte[]> bytes() {
        return fixed("bytes", -1, byte[]::clone, byte[]::clone);
    }

    /** Raw bytes of exactly {@code size}. */
    static MapCodec<byte[]> bytes(int size) {
        return fixed("byte[" + size + "]", size, byte[]::clone, byte[]::clone);
    }

    /** An IPv4 address in network order ({@code __be32}), as the kernel keeps {@code iph->saddr}. */
    static MapCodec<Inet4Address> ipv4() {
        return fixed("ipv4", 4, InetAddress::getAddress, b -> (Inet4Address) address(b));
    }

    /** An IPv6 address in network order ({@code struct in6_addr}). */
    static MapCodec<Inet6Address> ipv6() {
        return fixed("ipv6", 16, InetAddress::getAddress, b -> (Inet6Address) address(b));
    }

    /**
     * A value of BTF type {@code typeId} as a {@link BtfValue}; encoding takes a {@code BtfValue} of that type
     * (build one with {@link BtfValue#decode}, or use {@link #btfEncoding} for Java values).
     */
    static MapCodec<BtfValue> btf(Btf btf, int typeId) {
        Objects.requireNonNull(btf, "btf");
        int size = (int) btf.sizeOf(typeId);
        return fixed(btf.describe(typeId), size, BtfValue::bytes, b -> BtfValue.decode(btf, typeId, b));
    }

    /**
     * Java values (numbers, enumerator names, {@code Map<String, ?>} of fields, lists) encoded as BTF type
     * {@code typeId} with {@link BtfValue#encode}, decoded to {@link BtfValue}s.
     */
    static MapCodec<Object> btfEncoding(Btf btf, int typeId) {
        Objects.requireNonNull(btf, "btf");
        int size = (int) btf.sizeOf(typeId);
        return fixed(btf.describe(typeId), size, v -> BtfValue.encode(btf, typeId, v),
                b -> BtfValue.decode(btf, typeId, b));
    }

    private static <T> MapCodec<T> fixed(String name, int size, Function<T, byte[]> encoder,
            Function<byte[], T> decoder) {
        return new Fixed<>(name, size, encoder, decoder);
    }

    private static ByteBuffer buf(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    private static int checkRange(String type, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(v + " does not fit a " + type + " (" + min + ".." + max + ")");
        }
        return v;
    }

    private static InetAddress address(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + b.length + " bytes", e);
        }
    }

    /** A codec of a fixed (or any, -1) size from two functions. */
    record Fixed<T>(String name, int size, Function<T, byte[]> encoder, Function<byte[], T> decoder)
            implements MapCodec<T> {
        @Override
        public byte[] encode(T value) {
            Objects.requireNonNull(value, () -> "a " + name + " value");
            byte[] out = encoder.apply(value);
            check(out.length);
            return out;
        }

        @Override
        public T decode(byte[] bytes) {
            Objects.requireNonNull(bytes, "bytes");
            check(bytes.length);
            return decoder.apply(bytes);
        }

        private void check(int length) {
            if (size >= 0 && length != size) {
                throw new IllegalArgumentException("a " + name + " is " + size + " bytes, got " + length);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}

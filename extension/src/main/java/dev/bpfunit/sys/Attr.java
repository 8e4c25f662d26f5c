package dev.bpfunit.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The common part of every {@code XxxAttr}: a zeroed native buffer laid out like one member of
 * {@code union bpf_attr}, written at explicit offsets, in native byte order.
 *
 * <p>A pointer field is a u64 holding the address of native memory this object owns; an fd field
 * holds the number of an {@link Fd} this object keeps a reference to, so that neither is freed or
 * closed by the garbage collector before the call. Not thread-safe: build, call, read, on one thread.
 */
abstract class Attr {
    private final Memory buf;
    /** What each pointer or fd field refers to, by offset, kept reachable until the attr is. */
    private final Map<Integer, Object> referents = new HashMap<>();

    Attr(int size) {
        buf = new Memory(size);
        buf.clear();
    }

    /** The size passed to {@code bpf(2)}: the end of the last field this attr knows. */
    final int size() {
        return (int) buf.size();
    }

    final Pointer pointer() {
        return buf;
    }

    final void u32(int offset, int value) {
        buf.setInt(offset, value);
    }

    final int u32(int offset) {
        return buf.getInt(offset);
    }

    final void u64(int offset, long value) {
        buf.setLong(offset, value);
    }

    final long u64(int offset) {
        return buf.getLong(offset);
    }

    /** Points the u64 at {@code offset} to {@code memory} (or NULL) and keeps it alive. */
    final void pointer(int offset, Memory memory) {
        referents.put(offset, memory);
        buf.setLong(offset, memory == null ? 0 : Pointer.nativeValue(memory));
    }

    /** Writes the fd's number (or 0 for none) at {@code offset} and keeps the {@link Fd} reachable. */
    final void fd(int offset, Fd fd) {
        referents.put(offset, fd);
        u32(offset, fd == null ? 0 : fd.raw());
    }

    /** Writes an object name into a {@code BPF_OBJ_NAME_LEN} field, as {@link #kernelName} makes it. */
    final void objName(int offset, String name) {
        byte[] bytes = kernelName(name).getBytes(StandardCharsets.US_ASCII);
        buf.setMemory(offset, BpfConstants.BPF_OBJ_NAME_LEN, (byte) 0);
        buf.write(offset, bytes, 0, bytes.length);
    }

    /**
     * The name as the kernel accepts it: only {@code [A-Za-z0-9_.]} kept, at most 15 characters (the
     * 16th byte is the NUL).
     */
    static String kernelName(String name) {
        if (name == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length() && b.length() < BpfConstants.BPF_OBJ_NAME_LEN - 1; i++) {
            char c = name.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A native copy of {@code bytes}, or {@code null} (a NULL pointer) for null or empty input. */
    static Memory nativeCopy(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        Memory m = new Memory(bytes.length);
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    /** A zeroed native buffer of {@code size} bytes, or {@code null} for 0. */
    static Memory nativeBuffer(long size) {
        if (size == 0) {
            return null;
        }
        Memory m = new Memory(size);
        m.clear();
        return m;
    }

    /** A NUL-terminated UTF-8 copy of {@code s}. */
    static Memory cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(bytes.length + 1L);
        m.write(0, bytes, 0, bytes.length);
        m.setByte(bytes.length, (byte) 0);
        return m;
    }

    /** The text in a log buffer up to its first NUL, or {@code ""} for no buffer. */
    static String text(Memory m) {
        if (m == null) {
            return "";
        }
        byte[] bytes = m.getByteArray(0, (int) m.size());
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static byte[] copy(Memory m, int length) {
        return m == null || length == 0 ? new byte[0] : m.getByteArray(0, length);
    }

    static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, got " + value);
        }
    }
}

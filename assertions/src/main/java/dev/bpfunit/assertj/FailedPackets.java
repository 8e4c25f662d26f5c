package dev.bpfunit.assertj;

import dev.bpfunit.packet.Ethernet;
import dev.bpfunit.packet.Layer;
import dev.bpfunit.packet.Malformed;
import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PcapDumps;
import dev.bpfunit.packet.Payload;
import dev.bpfunit.packet.Trailer;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Saves the packets of a failed assertion as a pcap file with {@link PcapDumps} and says where, for the failure
 * message; the file is named after the test method that made the assertion.
 */
final class FailedPackets {

    /** A packet and what it was in the test: {@code input}, {@code output}, {@code expected}. */
    record Labeled(String label, Packet packet) {
    }

    private static final Map<String, AtomicInteger> NAMES_USED = new ConcurrentHashMap<>();

    private FailedPackets() {
    }

    /**
     * Writes the packets that are not null, in order, and returns a line for the failure message naming the file
     * and which frame is which, or saying why it could not be written.
     */
    static String save(List<Labeled> packets) {
        List<Labeled> present = packets.stream().filter(p -> p.packet() != null).toList();
        StringJoiner frames = new StringJoiner(", ", "(", ")");
        List<Packet> list = new ArrayList<>();
        for (Labeled p : present) {
            list.add(p.packet());
            frames.add((list.size()) + ": " + p.label());
        }
        String name = uniqueName(testName());
        try {
            Path file = PcapDumps.save(name, list);
            return "the packets are saved in " + file + " " + frames + "; open it with Wireshark";
        } catch (RuntimeException e) {
            return "the packets could not be saved under " + PcapDumps.directory() + ": " + e.getMessage();
        }
    }

    /**
     * Whether {@code p} parsed as a packet a diff by fields says more about than a hex dump: an Ethernet frame whose
     * EtherType the parser knows (the next layer is a header, not opaque bytes).
     */
    static boolean looksLikePacket(Packet p) {
        List<Layer> layers = p.layers();
        return layers.size() >= 2 && layers.get(0) instanceof Ethernet
                && !(layers.get(1) instanceof Payload || layers.get(1) instanceof Malformed
                || layers.get(1) instanceof Trailer);
    }

    /** {@code Class.method} of the first frame on the stack outside this library, AssertJ and the JDK. */
    static String testName() {
        URL own = location(FailedPackets.class);
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(frames -> frames.filter(f -> !isLibrary(f.getDeclaringClass(), own)).findFirst())
                .map(f -> simpleName(f.getDeclaringClass()) + "." + methodName(f.getMethodName()))
                .orElse("packets");
    }

    private static String uniqueName(String base) {
        int n = NAMES_USED.computeIfAbsent(base, k -> new AtomicInteger()).incrementAndGet();
        return n == 1 ? base : base + "-" + n;
    }

    private static boolean isLibrary(Class<?> c, URL own) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("jdk.") || n.startsWith("sun.") || n.startsWith("org.assertj.")
                || n.startsWith("net.bytebuddy.") || n.contains("$ByteBuddy$")
                || own != null && Objects.equals(location(c), own);
    }

    private static URL location(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null ? null : cs.getLocation();
    }

    private static String simpleName(Class<?> c) {
        String n = c.getName();
        return n.substring(n.lastIndexOf('.') + 1);
    }

    /** {@code lambda$dropsBlocked$3} -> {@code dropsBlocked}. */
    private static String methodName(String m) {
        if (m.startsWith("lambda$")) {
            int end = m.indexOf('$', 7);
            return end > 7 ? m.substring(7, end) : m;
        }
        return m;
    }
}

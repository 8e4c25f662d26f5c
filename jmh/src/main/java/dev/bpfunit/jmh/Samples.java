package dev.bpfunit.jmh;

import dev.bpfunit.BpfObject;
import dev.bpfunit.error.BpfException;
import dev.bpfunit.packet.Packets;
import dev.bpfunit.sys.SystemInfo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;

/**
 * The inputs the benchmarks share with {@code compare.sh}'s C harness: the sample BPF objects and the
 * 64-byte UDP packet; {@code main} prints the packet in hex so that the C side runs the same bytes.
 */
public final class Samples {

    /** Where the sample objects are on the classpath (copied from {@code samples/src/main/resources/bpf}). */
    static final String RESOURCE_DIR = "/bpf/";

    /** The objects the benchmarks take by name ({@code @Param}): {@code <name>.bpf.o}. */
    static final String XDP_FW = "xdp_fw";

    /** An XDP program submitting one record per run to a ring buffer ({@link RingBufferBenchmark}). */
    static final String RINGBUF = "ringbuf";

    /** The size of {@link #udpPacket()}: the usual minimum Ethernet frame without its FCS. */
    public static final int PACKET_SIZE = 64;

    /**
     * The name prefix of the temporary directories {@link #tempDir()} makes in this JVM: the process id is part of
     * it, so that a check for directories left behind is not confused by another JVM's (another build, a JMH fork)
     * in the shared temporary directory.
     */
    static final String TEMP_PREFIX = "bpfunit-jmh-" + ProcessHandle.current().pid() + "-";

    private Samples() {
    }

    /**
     * Copies the sample object {@code <name>.bpf.o} from the classpath into {@code dir} and returns its
     * path, so that loading reads a file as libbpf's {@code bpf_object__open_file} does.
     */
    static Path extract(String name, Path dir) {
        String resource = RESOURCE_DIR + name + ".bpf.o";
        try (InputStream in = Samples.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("no sample object " + resource + " on the classpath; the jmh module copies "
                        + "xdp_fw and multi_prog from samples/src/main/resources/bpf (see jmh/pom.xml)");
            }
            Path file = dir.resolve(name + ".bpf.o");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new BpfException("cannot copy " + resource + " to " + dir, e);
        }
    }

    private static boolean announced;

    /**
     * A temporary directory for extracted objects; {@link #deleteTree} removes it. The first call in a JVM also
     * prints which native binding bpfunit uses there (compare.sh reads it from JMH's log).
     */
    static synchronized Path tempDir() {
        if (!announced) {
            announced = true;
            System.out.println("bpfunit native binding: " + SystemInfo.nativeBinding() + " (Java "
                    + Runtime.version() + ")");
        }
        try {
            return Files.createTempDirectory(TEMP_PREFIX);
        } catch (IOException e) {
            throw new BpfException("cannot create a temporary directory", e);
        }
    }

    /** A benchmark's tear-down: closes its object (if its set-up got that far), then deletes its temporary copy. */
    static void closeAndDelete(BpfObject obj, Path dir) {
        try {
            if (obj != null) {
                obj.close();
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Deletes a directory made by {@link #tempDir()} and the files in it. */
    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new BpfException("cannot delete " + dir, e);
        }
    }

    /**
     * Ethernet + IPv4 10.0.0.1 -> 10.0.0.2 + UDP to port 53 with a 22-byte payload, 64 bytes: xdp_fw looks up
     * the source in its blocklist (a miss), reads the ports and passes it ({@code XDP_PASS}).
     */
    public static byte[] udpPacket() {
        int payload = PACKET_SIZE - 14 - 20 - 8;
        byte[] packet = Packets.ethernet().ipv4().src("10.0.0.1").dst("10.0.0.2").udp().dstPort(53)
                .payload(payload).bytes();
        if (packet.length != PACKET_SIZE) {
            throw new BpfException("the benchmark packet is " + packet.length + " bytes, not " + PACKET_SIZE);
        }
        return packet;
    }

    /** Prints {@link #udpPacket()} in hex, for {@code compare.sh}'s C harness. */
    public static void main(String[] args) {
        System.out.println(HexFormat.of().formatHex(udpPacket()));
    }
}

package dev.bpfunit.packet;

import java.nio.file.Path;
import java.util.List;

/**
 * Saves the packets of a failed test as a pcap file under {@code target/bpfunit/}, so a person can open them in Wireshark.
 *
 * <p>The directory is {@code target/bpfunit} below the working directory (Maven and Gradle run tests in the module
 * directory), or the value of the system property {@value #DIRECTORY_PROPERTY}.
 */
public final class PcapDumps {
    /** System property naming the directory for saved captures; default {@code target/bpfunit}. */
    public static final String DIRECTORY_PROPERTY = "bpfunit.pcapDirectory";

    private PcapDumps() {
    }

    public static Path directory() {
        return Path.of(System.getProperty(DIRECTORY_PROPERTY, "target/bpfunit")).toAbsolutePath();
    }

    /**
     * Writes {@code packets} (for example the input, then the output) to {@code <directory>/<name>.pcap} and returns
     * its absolute path, for the failure message. {@code name} is made file-name safe.
     */
    public static Path save(String name, List<Packet> packets) {
        String safe = name.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (safe.isEmpty() || safe.chars().allMatch(c -> c == '.')) {
            safe = "packets";
        }
        return PcapWriter.write(directory().resolve(safe + ".pcap"), packets);
    }
}

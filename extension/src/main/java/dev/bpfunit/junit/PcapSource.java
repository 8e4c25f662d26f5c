package dev.bpfunit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.provider.ArgumentsSource;

/**
 * Supplies the packets of a pcap or pcapng capture to a {@code @ParameterizedTest}, one invocation per packet.
 *
 * <pre>{@code
 * @ParameterizedTest
 * @PcapSource("captures/dns.pcap")
 * void dropsDns(Packet packet, int index) { ... }
 * }</pre>
 *
 * <p>The test method's leading parameters receive, by type: {@link dev.bpfunit.packet.Packet} (the parsed frame),
 * {@link dev.bpfunit.packet.PcapPacket} (timestamp, captured bytes, original length), {@code byte[]} (the frame) and
 * {@code int} (the packet's index in the file, from 0), in any order; parameters after them are left to other resolvers.
 *
 * <p>The capture must be Ethernet; see {@link dev.bpfunit.packet.PcapReader} for the formats read.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ArgumentsSource(PcapArgumentsProvider.class)
public @interface PcapSource {

    /**
     * The capture: a classpath resource relative to the test class's package, else one from the classpath root
     * (a leading {@code /} means the root only), else a file path relative to the working directory.
     */
    String value();
}

package dev.bpfunit.junit;

import dev.bpfunit.packet.Packet;
import dev.bpfunit.packet.PacketException;
import dev.bpfunit.packet.PcapPacket;
import dev.bpfunit.packet.PcapReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.support.AnnotationConsumer;

/**
 * Reads the capture named by {@link PcapSource} and turns each packet into the arguments the test method declares.
 *
 * <p>It implements {@code provideArguments(ExtensionContext)}, the form every supported Jupiter has (5.13+ route
 * their {@code ParameterDeclarations} form to it by default), and reads the test method's parameters itself:
 * {@code ParameterDeclarations} must not appear in this class, or Jupiter before 5.13 fails with
 * NoClassDefFoundError when it reflects on it. {@link PcapSource} applies to methods only, so there is always one.
 */
class PcapArgumentsProvider implements ArgumentsProvider, AnnotationConsumer<PcapSource> {

    private enum Kind { PACKET, PCAP_PACKET, BYTES, INDEX }

    private PcapSource source;

    @Override
    public void accept(PcapSource annotation) {
        this.source = annotation;
    }

    /**
     * The arguments, read when the stream is consumed: Jupiter 6 wraps any exception thrown by this method itself in
     * a JUnitException "does not override provideArguments(ParameterDeclarations, ...)", which would hide the
     * configuration error (a missing capture, a parameter of the wrong type) behind a misleading message.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
        java.lang.reflect.Method method = context.getRequiredTestMethod();
        return Stream.of(method).flatMap(m -> provide(List.of(m.getParameterTypes()), "method " + m.toGenericString(),
                context));
    }

    private Stream<? extends Arguments> provide(List<Class<?>> parameterTypes, String element, ExtensionContext context) {
        String where = "@PcapSource(\"" + source.value() + "\") on " + element;
        List<Kind> kinds = kinds(parameterTypes, where);
        List<PcapPacket> packets;
        try {
            packets = read(source.value(), context.getRequiredTestClass(), where);
        } catch (PacketException e) {
            throw new ExtensionConfigurationException(where + ": " + e.getMessage(), e);
        }
        return IntStream.range(0, packets.size()).mapToObj(i -> {
            PcapPacket pcap = packets.get(i);
            Packet packet = pcap.packet();
            Object[] args = new Object[kinds.size()];
            for (int k = 0; k < args.length; k++) {
                Object value = switch (kinds.get(k)) {
                    case PACKET -> packet;
                    case PCAP_PACKET -> pcap;
                    case BYTES -> pcap.bytes();
                    case INDEX -> i;
                };
                args[k] = k == 0 ? Named.of("#" + i + " " + packet.summary(), value) : value;
            }
            return Arguments.of(args);
        });
    }

    private static List<Kind> kinds(List<Class<?>> parameterTypes, String where) {
        List<Kind> kinds = new ArrayList<>();
        for (Class<?> t : parameterTypes) {
            Kind k = t == Packet.class ? Kind.PACKET : t == PcapPacket.class ? Kind.PCAP_PACKET : t == byte[].class ? Kind.BYTES
                    : t == int.class || t == Integer.class ? Kind.INDEX : null;
            if (k == null) {
                break;
            }
            kinds.add(k);
        }
        if (kinds.isEmpty()) {
            throw new ExtensionConfigurationException(where + ": the first parameter must be a Packet, PcapPacket, byte[] or int"
                    + " (the packet's index); declare for example (Packet packet)");
        }
        return kinds;
    }

    private static List<PcapPacket> read(String name, Class<?> testClass, String where) {
        URL url = name.startsWith("/") ? null : testClass.getResource(name);
        if (url == null) {
            url = testClass.getClassLoader().getResource(name.startsWith("/") ? name.substring(1) : name);
        }
        if (url != null) {
            try (InputStream in = url.openStream()) {
                return PcapReader.read(in, url.toString());
            } catch (IOException e) {
                throw new ExtensionConfigurationException(where + ": cannot read " + url + ": " + e.getMessage(), e);
            }
        }
        Path file = Path.of(name);
        if (Files.isRegularFile(file)) {
            return PcapReader.read(file);
        }
        String packageDir = testClass.getPackageName().replace('.', '/');
        throw new ExtensionConfigurationException(where + ": no such capture; looked for classpath resources " + packageDir + "/" + name
                + " and " + (name.startsWith("/") ? name.substring(1) : name) + ", and the file " + file.toAbsolutePath()
                + "; put the capture under src/test/resources/" + packageDir + "/" + name);
    }
}

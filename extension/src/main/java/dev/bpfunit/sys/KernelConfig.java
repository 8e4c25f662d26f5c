package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration ({@code CONFIG_*} values), for {@code __kconfig} externs: read from
 * {@code /proc/config.gz}, else {@code /boot/config-$(uname -r)}.
 */
public final class KernelConfig {
    static final Path PROC_CONFIG = Path.of("/proc/config.gz");
    private static volatile KernelConfig running;

    private final Map<String, String> values;
    private final String source;

    private KernelConfig(Map<String, String> values, String source) {
        this.values = Collections.unmodifiableMap(values);
        this.source = source;
    }

    /** The places the running kernel's configuration is looked for, in order. */
    public static List<Path> locations() {
        return List.of(PROC_CONFIG, Path.of("/boot/config-" + SystemInfo.kernelRelease()));
    }

    /** The running kernel's configuration, read once; BpfException naming where it was looked for if absent. */
    public static KernelConfig running() {
        KernelConfig c = running;
        if (c == null) {
            for (Path p : locations()) {
                if (Files.isReadable(p)) {
                    c = read(p);
                    break;
                }
            }
            if (c == null) {
                throw new BpfException("the kernel configuration is not available: neither "
                        + String.join(" nor ", locations().stream().map(Path::toString).toList())
                        + " exists (load the configs module, modprobe configs, or install the kernel's config file)");
            }
            running = c;
        }
        return c;
    }

    /** Reads a configuration file, gzip-compressed (name ending in {@code .gz}) or plain. */
    public static KernelConfig read(Path file) {
        try {
            byte[] raw = Files.readAllBytes(file);
            if (file.getFileName().toString().endsWith(".gz")) {
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    raw = in.readAllBytes();
                }
            }
            return parse(new String(raw, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new BpfException("cannot read kernel configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses {@code CONFIG_X=value} lines; {@code # CONFIG_X is not set} records {@code n}. Other lines are
     * ignored; a malformed assignment is an error naming its line.
     */
    public static KernelConfig parse(String text, String source) {
        Map<String, String> values = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String l = line.strip();
            if (l.startsWith("# CONFIG_") && l.endsWith(" is not set")) {
                values.put(l.substring(2, l.length() - " is not set".length()), "n");
            } else if (l.startsWith("CONFIG_")) {
                int eq = l.indexOf('=');
                if (eq < 0) {
                    throw new BpfException(source + " line " + lineNo + ": '" + l + "' is not CONFIG_NAME=value");
                }
                values.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return new KernelConfig(values, source);
    }

    /** The raw value of {@code name} ({@code y}, {@code m}, {@code n}, {@code 42}, {@code 0x1f}, {@code "text"}). */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** Every option, by name. */
    public Map<String, String> values() {
        return values;
    }

    /** Where it came from (a path), for messages. */
    public String source() {
        return source;
    }
}

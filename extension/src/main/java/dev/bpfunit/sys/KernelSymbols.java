package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The kernel's symbol addresses from {@code /proc/kallsyms}, for untyped {@code __ksym} externs
 * ({@code extern const void sym __ksym}).
 */
public final class KernelSymbols {
    /** Where the running kernel lists its symbols. */
    public static final Path KALLSYMS = Path.of("/proc/kallsyms");

    private final Map<String, Long> addresses;
    private final boolean allZero;

    private KernelSymbols(Map<String, Long> addresses, boolean allZero) {
        this.addresses = addresses;
        this.allZero = allZero;
    }

    /** The running kernel's symbols, read now (modules come and go, so this is not cached). */
    public static KernelSymbols running() {
        try {
            return parse(Files.readString(KALLSYMS));
        } catch (IOException e) {
            throw new BpfException("cannot read " + KALLSYMS + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses kallsyms lines ({@code ffffffff81000000 T _text}, optionally followed by {@code [module]}). For a name
     * listed more than once the first address is kept, as libbpf does for the first match.
     */
    public static KernelSymbols parse(String text) {
        Map<String, Long> out = new HashMap<>();
        boolean zero = true;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) {
                continue;
            }
            long address;
            try {
                address = Long.parseUnsignedLong(f[0], 16);
            } catch (NumberFormatException e) {
                continue;
            }
            zero &= address == 0;
            out.putIfAbsent(f[2], address);
        }
        return new KernelSymbols(out, zero && !out.isEmpty());
    }

    /** The address of {@code name}, if the kernel has such a symbol. */
    public OptionalLong address(String name) {
        Long a = addresses.get(name);
        return a == null ? OptionalLong.empty() : OptionalLong.of(a);
    }

    /**
     * Whether every address read as 0: the kernel hides them from this process ({@code kptr_restrict}); run as
     * root or with {@code CAP_SYSLOG}.
     */
    public boolean addressesHidden() {
        return allZero;
    }
}

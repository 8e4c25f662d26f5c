package dev.bpfunit.sys;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

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
        return read(null);
    }

    /**
     * The running kernel's addresses of {@code names} only, read now: what a loader needs, without a map of every
     * symbol ({@link #addressesHidden()} still looks at every line).
     */
    public static KernelSymbols running(Collection<String> names) {
        return read(Set.copyOf(names));
    }

    /**
     * Scans {@link #KALLSYMS} a megabyte at a time, whole lines at once: it has 100,000 lines and more (121,000 on a
     * 6.18 kernel, 5 MB), which splitting into strings and words took 250 ms to read (800 ms in a fresh JVM, ten
     * times that under an emulated CPU), for each load of an object with untyped ksyms.
     */
    private static KernelSymbols read(Set<String> wanted) {
        try (InputStream in = Files.newInputStream(KALLSYMS)) {
            return read(in, wanted, 1 << 20);
        } catch (IOException e) {
            throw new BpfException("cannot read " + KALLSYMS + ": " + e.getMessage(), e);
        }
    }

    /** The symbols of kallsyms text read from {@code in}, {@code bufferSize} bytes at a time at first. */
    static KernelSymbols read(InputStream in, Set<String> wanted, int bufferSize) throws IOException {
        Scan scan = new Scan(wanted);
        byte[] buffer = new byte[bufferSize];
        int filled = 0;
        for (int n; (n = in.read(buffer, filled, buffer.length - filled)) > 0; ) {
            filled += n;
            int done = scan.lines(buffer, 0, filled, false);
            if (done == 0 && filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);   // a line longer than the buffer
            }
            System.arraycopy(buffer, done, buffer, 0, filled - done);
            filled -= done;
        }
        scan.lines(buffer, 0, filled, true);
        return scan.symbols();
    }

    /**
     * Parses kallsyms lines ({@code ffffffff81000000 T _text}, optionally followed by {@code [module]}). For a name
     * listed more than once the first address is kept, as libbpf does for the first match.
     */
    public static KernelSymbols parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Scan scan = new Scan(null);
        scan.lines(bytes, 0, bytes.length, true);
        return scan.symbols();
    }

    /**
     * The symbols of the lines seen so far, scanned in place. With {@code wanted}, only those names are kept (a
     * line's name becomes a string only when its length is one of theirs); {@code null} keeps every name.
     */
    private static final class Scan {
        private final Set<String> wanted;
        private final boolean[] lengths;
        private final Map<String, Long> out;
        private boolean zero = true;
        private boolean any;

        Scan(Set<String> wanted) {
            this.wanted = wanted;
            this.out = new HashMap<>();
            if (wanted == null) {
                lengths = null;
                return;
            }
            lengths = new boolean[wanted.stream().mapToInt(Scan::length).max().orElse(0) + 1];
            for (String w : wanted) {
                lengths[length(w)] = true;
            }
        }

        private static int length(String name) {
            return name.getBytes(StandardCharsets.UTF_8).length;
        }

        /**
         * Takes the whole lines of {@code text[from, to)} (and, at the {@code end}, the last one without its
         * newline); returns where the first line it left begins.
         */
        int lines(byte[] text, int from, int to, boolean end) {
            int line = from;
            while (line < to) {
                int stop = line;
                while (stop < to && text[stop] != '\n') {
                    stop++;
                }
                if (stop == to && !end) {
                    return line;
                }
                take(text, line, stop);
                line = stop + 1;
            }
            return Math.min(line, to);
        }

        private void take(byte[] text, int line, int end) {
            int addressStart = skipBlanks(text, line, end);
            int addressEnd = skipWord(text, addressStart, end);
            int typeEnd = skipWord(text, skipBlanks(text, addressEnd, end), end);
            int nameStart = skipBlanks(text, typeEnd, end);
            int nameEnd = skipWord(text, nameStart, end);
            long address = hex(text, addressStart, addressEnd);
            if (nameEnd == nameStart || typeEnd == addressEnd || address == NOT_HEX) {
                return;
            }
            zero &= address == 0;
            any = true;
            int length = nameEnd - nameStart;
            if (lengths == null || length < lengths.length && lengths[length]) {
                String name = new String(text, nameStart, length, StandardCharsets.UTF_8);
                if (wanted == null || wanted.contains(name)) {
                    out.putIfAbsent(name, address);
                }
            }
        }

        KernelSymbols symbols() {
            return new KernelSymbols(out, zero && any);
        }
    }

    /**
     * What {@link #hex} gives for a word that is no address; the address 8000000000000001, which reads the same, is
     * in no kernel's half of the address space.
     */
    private static final long NOT_HEX = Long.MIN_VALUE + 1;

    /** The unsigned hex number {@code text[from, to)} (1 to 16 digits), or {@link #NOT_HEX}. */
    private static long hex(byte[] text, int from, int to) {
        if (to <= from || to - from > 16) {
            return NOT_HEX;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int c = text[i];
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (digit < 0) {
                return NOT_HEX;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static boolean blank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == 0x0b;
    }

    private static int skipBlanks(byte[] text, int i, int end) {
        while (i < end && blank(text[i])) {
            i++;
        }
        return i;
    }

    private static int skipWord(byte[] text, int i, int end) {
        while (i < end && !blank(text[i])) {
            i++;
        }
        return i;
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

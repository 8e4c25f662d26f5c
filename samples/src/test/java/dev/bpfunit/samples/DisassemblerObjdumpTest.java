package dev.bpfunit.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bpfunit.asm.Disassembler;
import dev.bpfunit.asm.Instruction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bpfunit's disassembler against {@code llvm-objdump -d}, instruction by instruction, on every committed sample
 * object: each instruction's bytes as objdump prints them, disassembled by bpfunit, must say what objdump says.
 * The two syntaxes differ in spacing, number bases and names (the kernel's {@code call bpf_map_lookup_elem#1},
 * {@code goto pc+2}, objdump's {@code call 1}, {@code goto +2 <LBB0_2>}); {@link #normalise} removes only that.
 */
class DisassemblerObjdumpTest {

    private static final Pattern LINE = Pattern.compile("^\\s*(\\d+):\\s+((?:[0-9a-f]{2}\\s){8}(?:(?:[0-9a-f]{2}\\s){8})?)\\s*(.*)$");
    private static final Pattern HEX = Pattern.compile("-?0x([0-9a-f]+)");
    private static final Pattern HELPER = Pattern.compile("\\b[a-z_0-9]+#(\\d+)");

    static Stream<String> objects() throws IOException {
        try (Stream<Path> files = Files.list(Samples.object("rejected").getParent())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bpf.o"))
                    .filter(n -> !n.equals("rejected_too_large.bpf.o")) // a million identical lines
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("objects")
    void everyInstructionReadsAsObjdumpReadsIt(String object) throws Exception {
        Path file = Samples.object(object.replace(".bpf.o", ""));
        assumeTrue(Dumps.BY_FILE != null, "llvm-objdump is not installed (Debian: apt-get install llvm)");
        List<String> lines = Dumps.BY_FILE.get(file.toString());
        assertThat(lines).as("llvm-objdump's disassembly of " + file).isNotNull();
        int compared = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LINE.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            byte[] bytes = HexFormat.of().parseHex(m.group(2).replaceAll("\\s", ""));
            String theirs = m.group(3).strip();
            Instruction insn = Instruction.decode(bytes, 0);
            // objdump prints a 64-bit immediate load's two slots as one line of 16 bytes
            assertThat(bytes.length).as(object + ": " + lines.get(i)).isEqualTo(insn.isLdImm64() ? 16 : 8);
            String ours = Disassembler.format(bytes, 0);
            compared++;
            if (!same(insn, ours, theirs)) {
                mismatches.add(m.group(1) + ": objdump '" + theirs + "', bpfunit '" + ours + "'");
            }
        }
        assertThat(compared).as(object + ": instructions compared").isPositive();
        assertThat(mismatches).as(object).isEmpty();
    }

    private static boolean same(Instruction insn, String ours, String theirs) {
        if (insn.isCall()) {
            return theirs.startsWith("call") && ours.startsWith("call");
        }
        if (insn.isLdImm64() && insn.src() != 0) {
            // a map or function reference: objdump shows the unrelocated immediate, bpfunit what it refers to
            return normalise(theirs, true).startsWith(normalise(ours, true).replaceFirst("=.*", "="));
        }
        return normalise(ours, insn.isLdImm64()).equals(normalise(theirs, insn.isLdImm64()));
    }

    /**
     * Removes the differences of syntax: spaces, labels, {@code pc}, number bases (a 32-bit immediate the kernel
     * prints in hex is signed; a 64-bit load's is not), helper names, and the kernel's {@code atomic64_} for
     * objdump's {@code atomic_} on 8-byte atomics.
     */
    static String normalise(String s, boolean wide) {
        String t = s.replaceAll("<[^>]*>", "").replace("atomic64_", "atomic_");
        t = HELPER.matcher(t).replaceAll("$1");
        Matcher h = HEX.matcher(t);
        StringBuilder b = new StringBuilder();
        while (h.find()) {
            long v = Long.parseUnsignedLong(h.group(1), 16);
            boolean negative = h.group().startsWith("-");
            long shown = negative ? -v : !wide && v > 0x7fffffffL && v <= 0xffffffffL ? (int) v : v;
            h.appendReplacement(b, wide && !negative ? Long.toUnsignedString(shown) : Long.toString(shown));
        }
        h.appendTail(b);
        return b.toString().replace("pc", "").replace(" ll", "").replace("+-", "-").replaceAll("\\s+", "");
    }

    /**
     * {@code llvm-objdump -d} of every object at once, by file: one process for all of them (a process per object
     * cost about 0.4 s each in a TCG guest of the kernel matrix). Null when llvm-objdump is not installed.
     */
    private static final class Dumps {
        static final Map<String, List<String>> BY_FILE = dumpAll();

        private static Map<String, List<String>> dumpAll() {
            try {
                List<String> command = new ArrayList<>(List.of("llvm-objdump", "-d"));
                for (String object : objects().toList()) {
                    command.add(Samples.object(object.replace(".bpf.o", "")).toString());
                }
                Process p;
                try {
                    p = new ProcessBuilder(command).redirectErrorStream(true).start();
                } catch (IOException e) {
                    return null;
                }
                byte[] out = p.getInputStream().readAllBytes();
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
                Map<String, List<String>> byFile = new HashMap<>();
                List<String> current = null;
                for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                    Matcher header = FILE_HEADER.matcher(line);
                    if (header.matches()) {
                        current = new ArrayList<>();
                        byFile.put(header.group(1), current);
                    } else if (current != null) {
                        current.add(line);
                    }
                }
                return byFile;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The line before each file's disassembly: {@code <path>:<tab>file format elf64-bpf}. */
    private static final Pattern FILE_HEADER = Pattern.compile("^(.+):\\tfile format \\S+$");
}

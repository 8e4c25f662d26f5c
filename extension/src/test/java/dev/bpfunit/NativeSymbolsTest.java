package dev.bpfunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uprobe symbol offsets agree with what readelf and gcc say about the same files. */
class NativeSymbolsTest {

    @Test
    void libcFunctionOffsetMatchesReadelf() throws Exception {
        Path libc = NativeSymbols.resolveBinary("libc.so.6", -1);
        long expected = readelfOffset(libc, "getpid");
        assertThat(NativeSymbols.offset(libc, "getpid")).isEqualTo(expected);
    }

    @Test
    void aLibraryBuiltHereResolvesAndAMissingNameIsExplained(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("t.c");
        Files.writeString(src, "__attribute__((noinline)) int padding(int x) { return x * 3; }\n"
                + "__attribute__((noinline)) int target_fn(int a) { return a + padding(a); }\n");
        Path so = dir.resolve("libt.so");
        Process gcc = new ProcessBuilder("gcc", "-O1", "-shared", "-fPIC", "-o", so.toString(), src.toString())
                .redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(gcc.waitFor() == 0, () -> "gcc failed: " + out);

        assertThat(NativeSymbols.offset(so, "target_fn")).isEqualTo(readelfOffset(so, "target_fn"));
        assertThatThrownBy(() -> NativeSymbols.offset(so, "nope"))
                .hasMessageContaining("has no function 'nope' in .symtab or .dynsym");
        assertThatThrownBy(() -> NativeSymbols.resolveBinary("libnothing-here.so.9", -1))
                .hasMessageContaining("not found in LD_LIBRARY_PATH");
        Path notElf = dir.resolve("x");
        Files.writeString(notElf, "not an ELF file at all, but long enough to have a header........");
        assertThatThrownBy(() -> NativeSymbols.offset(notElf, "f")).hasMessageContaining("not a 64-bit little-endian ELF");
    }

    /** The file offset readelf implies: the symbol's value, mapped through its section's address and offset. */
    private static long readelfOffset(Path file, String symbol) throws IOException, InterruptedException {
        String syms = run("readelf", "-Ws", file.toString());
        long value = -1;
        int shndx = -1;
        for (String line : syms.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[3].equals("FUNC") && f[7].replaceAll("@.*", "").equals(symbol)
                    && !f[6].equals("UND")) {
                value = Long.parseLong(f[1], 16);
                shndx = Integer.parseInt(f[6]);
                break;
            }
        }
        assertThat(value).as("readelf lists %s in %s", symbol, file).isNotNegative();
        for (String line : run("readelf", "-WS", file.toString()).split("\n")) {
            String t = line.replace("[ ", "[").trim();
            if (t.startsWith("[" + shndx + "]")) {
                String[] f = t.split("\\s+");
                long addr = Long.parseLong(f[3], 16);
                long off = Long.parseLong(f[4], 16);
                return value - addr + off;
            }
        }
        throw new AssertionError("no section " + shndx + " in readelf -S of " + file);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command)).isZero();
        return out;
    }
}

package dev.bpfunit.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bpfunit.error.BpfException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing kernel configurations and kallsyms, for __kconfig and __ksym externs. */
class KernelConfigTest {
    private static final String CONFIG = """
            #
            # Automatically generated file; DO NOT EDIT.
            CONFIG_HZ=250
            CONFIG_BPF_SYSCALL=y
            CONFIG_NF_TABLES=m
            # CONFIG_KPROBES is not set
            CONFIG_DEFAULT_HOSTNAME="(none)"
            CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000
            """;

    @Test
    void parsesEveryKindOfValueAndNotSetAsN() {
        KernelConfig c = KernelConfig.parse(CONFIG, "test");
        assertThat(c.value("CONFIG_HZ")).contains("250");
        assertThat(c.value("CONFIG_BPF_SYSCALL")).contains("y");
        assertThat(c.value("CONFIG_NF_TABLES")).contains("m");
        assertThat(c.value("CONFIG_KPROBES")).contains("n");
        assertThat(c.value("CONFIG_DEFAULT_HOSTNAME")).contains("\"(none)\"");
        assertThat(c.value("CONFIG_ILLEGAL_POINTER_VALUE")).contains("0xdead000000000000");
        assertThat(c.value("CONFIG_NOPE")).isEmpty();
    }

    @Test
    void aMalformedLineIsNamed() {
        assertThatThrownBy(() -> KernelConfig.parse("CONFIG_A=1\nCONFIG_B\n", "/boot/config-x"))
                .isInstanceOf(BpfException.class).hasMessage("/boot/config-x line 2: 'CONFIG_B' is not CONFIG_NAME=value");
    }

    @Test
    void readsGzipAndPlainFiles(@TempDir Path dir) throws IOException {
        Path gz = dir.resolve("config.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(CONFIG.getBytes(StandardCharsets.UTF_8));
        }
        Path plain = dir.resolve("config-6.1.0");
        Files.writeString(plain, CONFIG);
        assertThat(KernelConfig.read(gz).value("CONFIG_HZ")).contains("250");
        assertThat(KernelConfig.read(plain).values()).isEqualTo(KernelConfig.read(gz).values());
        assertThatThrownBy(() -> KernelConfig.read(dir.resolve("missing"))).hasMessageContaining("missing");
    }

    @Test
    void theRunningKernelsConfigIsFound() {
        assertThat(KernelConfig.locations()).first().isEqualTo(Path.of("/proc/config.gz"));
        if (KernelConfig.locations().stream().anyMatch(Files::isReadable)) {
            assertThat(KernelConfig.running().value("CONFIG_BPF")).contains("y");
        }
    }

    @Test
    void kallsymsKeepsTheFirstAddressAndNoticesHiddenOnes() {
        KernelSymbols s = KernelSymbols.parse("""
                ffffffff81000000 T _text
                ffffffff81000100 t helper
                ffffffffc0000000 t helper\t[some_module]
                garbage line
                """);
        assertThat(s.address("_text")).hasValue(0xffffffff81000000L);
        assertThat(s.address("helper")).hasValue(0xffffffff81000100L);
        assertThat(s.address("nope")).isEmpty();
        assertThat(s.addressesHidden()).isFalse();
        assertThat(KernelSymbols.parse("0000000000000000 T _text\n").addressesHidden()).isTrue();
        assertThat(KernelSymbols.parse("garbage\nffffffff81000000 T\nzz T word\n").addressesHidden()).isFalse();
    }

    /** Lines cut by the read buffer, a line longer than it, and a last line without its newline. */
    @Test
    void kallsymsIsReadWholeLinesAtATimeWhateverTheBuffer() throws Exception {
        String text = "ffffffff81000000 T _text\n"
                + "ffffffff81000100 t " + "long_name_".repeat(10) + "\n"
                + "ffffffff81000200 t helper\t[some_module]\n"
                + "ffffffff81000300 T last";
        for (int size : new int[] {1, 7, 16, 64, 1024}) {
            KernelSymbols s = KernelSymbols.read(new java.io.ByteArrayInputStream(
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), null, size);
            assertThat(s.address("_text")).as("buffer %d", size).hasValue(0xffffffff81000000L);
            assertThat(s.address("long_name_".repeat(10))).as("buffer %d", size).hasValue(0xffffffff81000100L);
            assertThat(s.address("helper")).as("buffer %d", size).hasValue(0xffffffff81000200L);
            assertThat(s.address("last")).as("buffer %d", size).hasValue(0xffffffff81000300L);
        }
        KernelSymbols some = KernelSymbols.read(new java.io.ByteArrayInputStream(
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), java.util.Set.of("helper", "last", "nope"), 16);
        assertThat(some.address("helper")).hasValue(0xffffffff81000200L);
        assertThat(some.address("last")).hasValue(0xffffffff81000300L);
        assertThat(some.address("_text")).as("not asked for").isEmpty();
        assertThat(some.address("nope")).isEmpty();
    }

    /** Asking for some names gives their addresses as the whole table has them. */
    @Test
    void theRunningKernelsNamedSymbolsMatchTheWholeTable() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(KernelSymbols.KALLSYMS), "no /proc/kallsyms");
        KernelSymbols all = KernelSymbols.running();
        KernelSymbols some = KernelSymbols.running(java.util.List.of("_text", "bpf_prog_put", "no_such_symbol_x"));

        assertThat(some.address("_text")).isEqualTo(all.address("_text")).isPresent();
        assertThat(some.address("bpf_prog_put")).isEqualTo(all.address("bpf_prog_put"));
        assertThat(some.address("no_such_symbol_x")).isEmpty();
        assertThat(some.addressesHidden()).isEqualTo(all.addressesHidden());
    }
}
